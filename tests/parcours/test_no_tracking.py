"""The trust frame, checked on the schema: nothing may store when a given user did something.

A model that links a user and stores a date or time is tracking unless it is on the
reviewed list in `parcours/trust.py`, with its reason.
"""

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.test.utils import isolate_apps

from parcours.trust import REVIEWED_USER_TIMESTAMPS

TIME_FIELDS = (models.DateField, models.DateTimeField, models.TimeField, models.DurationField)


def _links_a_user(model: type[models.Model], seen: frozenset = frozenset()) -> bool:
    """True if the model points to a user, directly or through its own foreign keys."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    for field in model._meta.get_fields():
        if not (field.many_to_one or field.one_to_one) or not field.concrete:
            continue
        target = field.related_model
        if target is user_model:
            return True
        if target not in seen and target is not model and _links_a_user(target, seen | {model}):
            return True
    return False


def _user_timestamps(candidates=None) -> set[str]:
    found = set()
    for model in candidates or apps.get_models():
        if model._meta.app_label not in settings.PREAU_APPS or not _links_a_user(model):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, TIME_FIELDS):
                found.add(f"{model._meta.label}.{field.name}")
    return found


def test_no_model_records_when_a_user_did_something_unless_reviewed():
    unreviewed = _user_timestamps() - set(REVIEWED_USER_TIMESTAMPS)
    assert not unreviewed, (
        f"{sorted(unreviewed)} store a time next to a user: the trust frame forbids tracking. "
        "Remove the field, or add it to parcours/trust.py with the reason it is not tracking."
    )


def test_the_reviewed_list_names_only_fields_that_exist():
    assert set(REVIEWED_USER_TIMESTAMPS) <= _user_timestamps()


def test_every_reviewed_field_gives_its_reason():
    assert all(len(reason) > 20 for reason in REVIEWED_USER_TIMESTAMPS.values())


def test_presence_is_a_date_not_a_time():
    from parcours.models import Profile

    assert type(Profile._meta.get_field("last_visit")) is models.DateField


@isolate_apps("parcours")
def test_a_new_tracking_model_would_be_caught():
    class PageView(models.Model):
        viewer = models.ForeignKey(get_user_model(), on_delete=models.CASCADE)
        seen_at = models.DateTimeField()

        class Meta:
            app_label = "parcours"

    class Seen(models.Model):
        view = models.ForeignKey(PageView, on_delete=models.CASCADE)
        duration = models.DurationField()

        class Meta:
            app_label = "parcours"

    assert _user_timestamps([PageView, Seen]) == {
        "parcours.PageView.seen_at",
        "parcours.Seen.duration",
    }


def test_completing_an_activity_stores_no_time():
    from parcours.models import ActivityCompletion

    fields = {f.name for f in ActivityCompletion._meta.concrete_fields}
    assert fields == {"id", "membership", "activity"}
