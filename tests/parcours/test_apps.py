"""What the core app sets up when Django starts, and sets up only once."""

import warnings

from django.test.utils import isolate_apps
from django.urls import resolve
from django.urls.converters import get_converters

from parcours.inputs import IdConverter


def test_building_the_app_registry_again_keeps_one_id_converter():
    """`ready` runs again whenever a registry is built again (`isolate_apps` in tests):
    registering `<id:...>` a second time is a warning today and an error in Django 6."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with isolate_apps("parcours"):
            pass
    assert isinstance(get_converters()["id"], IdConverter)
    assert resolve("/forums/discussions/3/").kwargs == {"discussion_id": 3}
