from importlib import import_module

from django.conf import settings
from django.urls import include, path

from .api import api
from .health import health


def _app_pages() -> list:
    """Include the `urls` module of every Préau app that has pages."""
    patterns = []
    for app in settings.PREAU_APPS:
        try:
            import_module(f"{app}.urls")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.urls":
                raise
            continue
        patterns.append(path("", include(f"{app}.urls")))
    return patterns


urlpatterns = [path("api/v1/", api.urls), path("health", health, name="health"), *_app_pages()]
