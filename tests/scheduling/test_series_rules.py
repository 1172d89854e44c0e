""" "Entre pairs" series stay inside their session and never double-book its hours."""

from datetime import date, datetime, timedelta

from scheduling import calendar
from scheduling.models import ScheduledClass, Series
from tests import factories
from tests.scheduling.helpers import good_slots


def _clean_day() -> date:
    """A day whose afternoon the calendar allows (no holiday, not the eve of one)."""
    return good_slots(1, after_days=10)[0].date()


def _series(api, user, scope_owner, first: date, until: date, **extra):
    body = {"session_id": scope_owner.pk, "first_day": str(first), "until": str(until)}
    return api(user).post("/series", body | extra)


def test_a_series_is_cut_at_its_sessions_end_with_the_reason(api, world):
    first = _clean_day()
    world.session.ends_on = first + timedelta(weeks=3)
    world.session.save()
    response = _series(api, world.trainer, world.session, first, first + timedelta(weeks=10))
    assert response.status_code == 201, response.json()
    body = response.json()
    held = [datetime.fromisoformat(c["local_start"]).date() for c in body["classes"]]
    assert held and first in held
    assert all(day <= world.session.ends_on for day in held)
    cut = [row for row in body["skipped"] if date.fromisoformat(row["day"]) > world.session.ends_on]
    assert [row["day"] for row in cut] == [
        str(first + timedelta(weeks=weeks)) for weeks in (4, 6, 8, 10)
    ]
    assert all(row["reasons"] == [calendar.AFTER_SESSION_END] for row in cut)
    assert not ScheduledClass.objects.filter(starts_at__date__gt=world.session.ends_on).exists()
    # The series' own rule, and so its calendar feed, ends with the session.
    assert Series.objects.get().until == world.session.ends_on


def test_a_series_starting_after_its_sessions_end_is_refused(api, world):
    first = _clean_day()
    world.session.ends_on = first - timedelta(days=1)
    world.session.save()
    response = _series(api, world.trainer, world.session, first, first + timedelta(weeks=4))
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "first_day"
    assert not Series.objects.exists() and not ScheduledClass.objects.exists()


def test_the_reason_has_a_french_label():
    assert calendar.describe(calendar.AFTER_SESSION_END) == "Après la fin de la session"


def test_a_series_overlapping_another_series_class_is_refused_naming_it(api, world):
    first = _clean_day()
    until = first + timedelta(weeks=2)
    earlier = _series(api, world.trainer, world.session, first, until, title="Entre pairs lundi")
    assert earlier.status_code == 201
    taken = ScheduledClass.objects.order_by("starts_at").first()

    response = _series(
        api, world.trainer, world.session, first, until, title="Atelier", start_time="15:45"
    )
    assert response.status_code == 409, response.json()
    error = response.json()["error"]
    assert error["code"] == "conflict"
    assert error["details"]["field"] == "start_time"
    assert error["details"]["class_id"] == taken.pk
    assert "Entre pairs lundi" in error["message"]
    assert Series.objects.count() == 1
    assert ScheduledClass.objects.filter(title="Atelier").count() == 0


def test_a_series_right_after_another_or_in_another_session_is_accepted(api, world):
    first = _clean_day()
    until = first + timedelta(weeks=2)
    assert _series(api, world.trainer, world.session, first, until).status_code == 201
    after = _series(api, world.trainer, world.session, first, until, start_time="16:00")
    assert after.status_code == 201, after.json()
    other_trainer = factories.member(world.other_session, "trainer").user
    world.other_session.ends_on = until
    world.other_session.save()
    elsewhere = _series(api, other_trainer, world.other_session, first, until)
    assert elsewhere.status_code == 201, elsewhere.json()
    assert Series.objects.count() == 3
