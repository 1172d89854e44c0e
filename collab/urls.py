from django.urls import path

from . import views

app_name = "collab"

urlpatterns = [
    path("spaces/<id:space_id>/", views.space_page, name="space"),
]
