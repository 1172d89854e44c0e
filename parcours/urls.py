from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views, views_authoring, views_desk, views_manage

app_name = "parcours"

urlpatterns = [
    path("", views.my_sessions, name="my_sessions"),
    path("sessions/<id:session_id>/", views.session_page, name="session"),
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
    # Running a training: desks reached from the navigation, managing a session.
    path("administration/", views_desk.desk_page, name="desk"),
    path("parcours/", views_authoring.authoring_page, name="authoring"),
    path("parcours/<id:parcours_id>/", views_authoring.parcours_page, name="parcours"),
    path("circonscription/", views_desk.circonscription_page, name="circonscription"),
    path("statistiques/", views_desk.stats_page, name="stats"),
    path("offre/", views_desk.catalogue_page, name="catalogue"),
    path("sessions/<id:session_id>/journal/", views_desk.audit_page, name="audit"),
    path(
        "sessions/<id:session_id>/gestion/",
        views_manage.session_manage_page,
        name="session_manage",
    ),
]
