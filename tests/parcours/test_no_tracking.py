"""The trust frame, checked on the schema: nothing may store when a given user did something.

A model that links a user (or is the user model) and stores a date or time is tracking
unless it is on the reviewed list in `parcours/trust.py`, with its reason. Every installed
model is walked, Django's own included, and so are the realtime events kept for replay.
"""

import io
import json
import re
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.test.utils import isolate_apps

from parcours.trust import REVIEWED_EVENT_TIMES, REVIEWED_USER_TIMESTAMPS
from tests import factories

TIME_FIELDS = (models.DateField, models.DateTimeField, models.TimeField, models.DurationField)


def _links_a_user(model: type[models.Model], seen: frozenset = frozenset()) -> bool:
    """True if the model points to a user, directly or through its own foreign keys."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    if model is user_model:
        return True
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
        if not _links_a_user(model):
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


def test_django_s_own_models_are_walked_too():
    """`auth.User` keeps `last_login`: the walk must see it, and the list must explain it."""
    found = _user_timestamps()
    assert {"auth.User.last_login", "auth.User.date_joined"} <= found
    assert not found - set(REVIEWED_USER_TIMESTAMPS)


def test_logging_in_stores_no_time_of_login(world, client, api):
    """Django writes `last_login` on every login, to the microsecond: Préau stops it."""
    assert (
        client.post(
            "/login/", {"username": "participant", "password": factories.PASSWORD}
        ).status_code
        == 302
    )
    assert client.get(f"/sessions/{world.session.pk}/").status_code == 200
    response = api().post("/auth/token", {"username": "trainer", "password": factories.PASSWORD})
    assert response.status_code == 200
    for user in (world.participant, world.trainer):
        user.refresh_from_db()
        assert user.last_login is None


ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
PERSON_KEYS = re.compile(r"(^|_)(user|author|sender|recipient)s?(_ids?)?$")


def _names_a_person(data: dict) -> bool:
    return any(PERSON_KEYS.search(key) for key in data)


def _times_next_to_people(frame: dict) -> set[str]:
    """`type.field` of every time in an event that also names a person."""
    data = frame.get("data", {})
    if not _names_a_person(data):
        return set()
    return {
        f"{frame['type']}.{key}"
        for key, value in data.items()
        if isinstance(value, str) and ISO_TIME.match(value)
    }


def test_stored_realtime_events_keep_no_time_next_to_a_person(world, settings):
    """Every durable event the apps publish is kept for replay: walk what they stored."""
    from django.core.management import call_command

    from messaging import services as messaging
    from realtime.models import StoredEvent
    from scheduling import services as scheduling
    from tests.scheduling.helpers import good_slots

    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=io.StringIO())
    messaging.send_message(
        sender=world.participant, session=world.session, recipient_ids=[world.trainer.pk],
        body="Bonjour",
    )  # fmt: skip
    start = good_slots(1)[0]
    poll = scheduling.create_poll(
        session=world.session, actor=world.trainer, title="Classe",
        slots=[scheduling.SlotIn(start, start + timedelta(hours=1))],
    )  # fmt: skip
    scheduling.answer_poll(poll=poll, user=world.participant, choices={poll.slots.get().pk: "yes"})
    scheduling.close_poll(poll=poll, actor=world.trainer)

    frames = [json.loads(frame) for frame in StoredEvent.objects.values_list("frame", flat=True)]
    kinds = {frame["type"] for frame in frames}
    assert {"forum.post_created", "message.received", "class.scheduled"} <= kinds
    assert not any(kind.startswith("presence.") for kind in kinds)
    found = set().union(*map(_times_next_to_people, frames))
    assert found, "the walk must see at least the messages' sent time"
    assert not found - set(REVIEWED_EVENT_TIMES), (
        f"{sorted(found - set(REVIEWED_EVENT_TIMES))} keep a time next to a person in the "
        "stored realtime events: remove it, or review it in parcours/trust.py"
    )
