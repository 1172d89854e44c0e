from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

app_name = "parcours"

urlpatterns = [
    path("", views.my_sessions, name="my_sessions"),
    path("sessions/<int:session_id>/", views.session_page, name="session"),
    # An account created by an administrator: its owner sets a password here, once.
    path(
        "compte/activer/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="parcours/activate.html",
            success_url=reverse_lazy("web:login"),
            post_reset_login=False,
        ),
        name="activate",
    ),
    path("jetons/", views.tokens_page, name="tokens"),
]
