from django.urls import path

from . import views

app_name = "parcours"

urlpatterns = [
    path("", views.my_sessions, name="my_sessions"),
    path("sessions/<int:session_id>/", views.session_page, name="session"),
    path("jetons/", views.tokens_page, name="tokens"),
]
