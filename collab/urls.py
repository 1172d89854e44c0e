from django.urls import path

from . import views

app_name = "collab"

urlpatterns = [
    path("documents/<id:document_id>/", views.document_page, name="document"),
    path("wordclouds/<id:cloud_id>/", views.wordcloud_page, name="wordcloud"),
]
