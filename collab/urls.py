from django.urls import path

from . import views

app_name = "collab"

urlpatterns = [
    path("documents/<int:document_id>/", views.document_page, name="document"),
    path("wordclouds/<int:cloud_id>/", views.wordcloud_page, name="wordcloud"),
]
