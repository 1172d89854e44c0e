from django.urls import path

from . import views

app_name = "classrooms"

urlpatterns = [
    path("classes-virtuelles/<id:classroom_id>/", views.room_page, name="room"),
    # The room of a scheduled class, created on first use (session page, ICS invitations).
    path("classes-virtuelles/classe/<id:class_id>/", views.class_room, name="for_class"),
]
