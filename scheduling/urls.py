from django.urls import path

from . import views

app_name = "scheduling"

urlpatterns = [
    path("sessions/<id:session_id>/planifier/", views.plan_page, name="plan"),
    path("sondages/<id:poll_id>/", views.poll_page, name="poll"),
    path("agenda/", views.calendar_feed_page, name="calendar_feed"),
]
