from django.urls import include, path

from .api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("web.urls")),
    path("", include("parcours.urls")),
]
