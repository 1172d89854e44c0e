from django.urls import path

from . import views

app_name = "scheduling"

urlpatterns = [
    path("sessions/<int:session_id>/planifier/", views.plan_page, name="plan"),
    path("sondages/<int:poll_id>/", views.poll_page, name="poll"),
]
