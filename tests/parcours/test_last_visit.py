"""The date of last visit: the only trace of presence, written at most once a day."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parcours.models import Profile


def _last_visit(user):
    return Profile.objects.get(user=user).last_visit


def _profile_writes(queries) -> list[str]:
    sqls = [q["sql"].lstrip() for q in queries if "parcours_profile" in q["sql"]]
    return [sql for sql in sqls if sql.startswith(("UPDATE", "INSERT"))]


def test_an_api_call_writes_todays_date_as_the_last_visit(world, api):
    assert _last_visit(world.participant) is None
    assert api(world.participant).get("/me").status_code == 200
    assert _last_visit(world.participant) == timezone.localdate()


def test_a_page_visit_writes_todays_date_as_the_last_visit(world, client):
    client.force_login(world.participant)
    assert client.get(f"/sessions/{world.session.pk}/").status_code == 200
    assert _last_visit(world.participant) == timezone.localdate()


def test_the_last_visit_is_a_date_and_never_a_time(world, api):
    api(world.participant).get("/me")
    field = Profile._meta.get_field("last_visit")
    assert field.get_internal_type() == "DateField"
    stored = _last_visit(world.participant)
    assert type(stored) is date
    shown = api(world.trainer).get(f"/sessions/{world.session.pk}/progress").json()
    (row,) = [r for r in shown if r["user_id"] == world.participant.pk]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["last_visit"])


@pytest.mark.parametrize("second", ["api", "page"])
def test_a_second_visit_the_same_day_writes_nothing(world, api, client, second):
    participant = api(world.participant)
    with CaptureQueriesContext(connection) as first:
        participant.get("/me")
    assert len(_profile_writes(first.captured_queries)) == 1
    client.force_login(world.participant)
    with CaptureQueriesContext(connection) as later:
        for _ in range(3):
            if second == "api":
                participant.get(f"/sessions/{world.session.pk}/progress")
            else:
                client.get("/")
    assert _profile_writes(later.captured_queries) == []
    assert _last_visit(world.participant) == timezone.localdate()


def test_a_visit_on_a_new_day_moves_the_date_forward(world, api, monkeypatch):
    Profile.objects.filter(user=world.participant).update(last_visit=date(2026, 1, 5))
    participant = api(world.participant)
    participant.get("/me")
    today = timezone.localdate()
    assert _last_visit(world.participant) == today
    tomorrow = today + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    with CaptureQueriesContext(connection) as ctx:
        participant.get("/me")
    assert len(_profile_writes(ctx.captured_queries)) == 1
    assert _last_visit(world.participant) == tomorrow


def test_each_user_keeps_their_own_date(world, api):
    api(world.participant).get("/me")
    assert _last_visit(world.participant) == timezone.localdate()
    assert _last_visit(world.other_participant) is None


def test_an_anonymous_request_records_nothing(world, api, client):
    with CaptureQueriesContext(connection) as ctx:
        client.get("/login/")
        api(None).get("/me")
    assert _profile_writes(ctx.captured_queries) == []
