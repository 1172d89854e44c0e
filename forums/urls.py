from django.urls import path

from . import views

app_name = "forums"

urlpatterns = [
    path("sessions/<int:session_id>/forums/", views.session_forums, name="session_forums"),
    path(
        "sessions/<int:session_id>/forums/moderation/",
        views.moderation_log_page,
        name="session_moderation_log",
    ),
    path("spaces/<int:space_id>/forums/", views.space_forums, name="space_forums"),
    path(
        "spaces/<int:space_id>/forums/moderation/",
        views.space_moderation_log_page,
        name="space_moderation_log",
    ),
    path("forums/<int:forum_id>/", views.forum_page, name="forum"),
    path("forums/<int:forum_id>/discussions/", views.discussion_rows, name="discussion_rows"),
    path("forums/discussions/<int:discussion_id>/", views.discussion_page, name="discussion"),
    path("forums/messages/<int:post_id>/", views.post_fragment, name="post_fragment"),
    path("forums/favoris/", views.favourites_page, name="favourites"),
]
