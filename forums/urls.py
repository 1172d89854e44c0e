from django.urls import path

from . import views

app_name = "forums"

urlpatterns = [
    path("sessions/<id:session_id>/forums/", views.session_forums, name="session_forums"),
    path(
        "sessions/<id:session_id>/forums/moderation/",
        views.moderation_log_page,
        name="session_moderation_log",
    ),
    path("spaces/<id:space_id>/forums/", views.space_forums, name="space_forums"),
    path(
        "spaces/<id:space_id>/forums/moderation/",
        views.space_moderation_log_page,
        name="space_moderation_log",
    ),
    path("forums/<id:forum_id>/", views.forum_page, name="forum"),
    path("forums/<id:forum_id>/discussions/", views.discussion_rows, name="discussion_rows"),
    path("forums/discussions/<id:discussion_id>/", views.discussion_page, name="discussion"),
    path("forums/messages/<id:post_id>/", views.post_fragment, name="post_fragment"),
    path("forums/favoris/", views.favourites_page, name="favourites"),
]
