"""ICS invitations parsed back by icalendar; "entre pairs" series; free slots; classes."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.utils import timezone

from scheduling import calendar
from scheduling.models import ScheduledClass, Series
from tests.scheduling.helpers import PARIS, good_slots, slot_body

PARIS_TZ = ZoneInfo("Europe/Paris")


def _closed_poll(api, world) -> int:
    body = {"title": "Classe virtuelle", "slots": [slot_body(good_slots(1)[0])]}
    poll = api(world.trainer).post(f"/sessions/{world.session.pk}/polls", body).json()
    api(world.trainer).post(f"/polls/{poll['id']}/close", {})
    return poll["id"]


def test_the_invitation_carries_local_time_and_its_vtimezone(api, world):
    poll_id = _closed_poll(api, world)
    response = api(world.participant).get(f"/polls/{poll_id}/event.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    parsed = icalendar.Calendar.from_ical(response.content)
    assert [tz.tz_name for tz in parsed.timezones] == ["Europe/Paris"]
    event = parsed.events[0]
    scheduled = ScheduledClass.objects.get()
    assert event.start == scheduled.starts_at.astimezone(PARIS_TZ)
    assert event.start.tzinfo.key == "Europe/Paris" and event.start.hour == 10
    assert "TZID=Europe/Paris" in response.content.decode()


def test_no_invitation_before_closing_nor_for_outsiders(api, world):
    body = {"title": "Classe", "slots": [slot_body(good_slots(1)[0])]}
    poll = api(world.trainer).post(f"/sessions/{world.session.pk}/polls", body).json()
    assert api(world.participant).get(f"/polls/{poll['id']}/event.ics").status_code == 409
    assert api(world.outsider).get(f"/polls/{poll['id']}/event.ics").status_code == 403


def _next_wednesday_before_christmas() -> date:
    """A Wednesday whose series of fortnightly meetups crosses a school holiday."""
    today = timezone.localdate()
    day = today + timedelta(days=(2 - today.weekday()) % 7 or 7)
    for _ in range(60):
        span = [day + timedelta(weeks=2 * k) for k in range(4)]
        if not calendar.day_reasons(PARIS, day) and any(
            calendar.day_reasons(PARIS, d) for d in span[1:]
        ):
            return day
        day += timedelta(weeks=1)
    raise AssertionError("no holiday within reach")


def test_a_series_skips_holidays_and_its_feed_excludes_them(api, world):
    first = _next_wednesday_before_christmas()
    until = first + timedelta(weeks=6)
    world.session.ends_on = until  # a series stops at its session's end
    world.session.save()
    response = api(world.trainer).post(
        "/series",
        {
            "session_id": world.session.pk,
            "first_day": first.isoformat(),
            "until": until.isoformat(),
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["skipped"], "the span was chosen to cross a break"
    assert all(
        any(r.startswith(("school_holidays:", "public_holiday:")) for r in row["reasons"])
        for row in body["skipped"]
    )
    held = [datetime.fromisoformat(c["local_start"]) for c in body["classes"]]
    assert all(start.time() == time(15, 30) and start.weekday() == 2 for start in held)
    assert body["classes"][0]["agenda"] == [
        {"title": "Présentation", "minutes": 15},
        {"title": "Échanges", "minutes": 15},
    ]
    feed = api(world.participant).get(body["feed_url"].removeprefix("/api/v1"))
    parsed = icalendar.Calendar.from_ical(feed.content)
    event = parsed.events[0]
    assert event.start == datetime.combine(first, time(15, 30), tzinfo=PARIS_TZ)
    assert event.end - event.start == timedelta(minutes=30)
    rule = event["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["INTERVAL"] == [2]
    excluded = {
        moment.date()
        for exdate in _as_list(event["EXDATE"])
        for moment in (d.dt for d in exdate.dts)
    }
    assert excluded == {date.fromisoformat(row["day"]) for row in body["skipped"]}
    assert all(
        d.dt.tzinfo is not None and d.dt.astimezone(PARIS_TZ).time() == time(15, 30)
        for exdate in _as_list(event["EXDATE"])
        for d in exdate.dts
    )


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def test_a_series_outside_working_hours_is_refused_whole(api, world):
    first = timezone.localdate() + timedelta(days=14)
    response = api(world.trainer).post(
        "/series",
        {
            "session_id": world.session.pk,
            "first_day": first.isoformat(),
            "until": (first + timedelta(weeks=4)).isoformat(),
            "start_time": "17:45",
        },
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"]["reasons"] == ["outside_working_hours"]
    assert not Series.objects.exists()


def test_participants_may_not_create_series(api, world):
    first = timezone.localdate() + timedelta(days=14)
    body = {
        "session_id": world.session.pk,
        "first_day": first.isoformat(),
        "until": first.isoformat(),
    }
    assert api(world.participant).post("/series", body).status_code == 403


def test_free_slots_lists_only_allowed_times(api, world):
    first = timezone.localdate() + timedelta(days=7)
    response = api(world.participant).get(
        f"/academies/normandie/free-slots?from={first}&to={first + timedelta(days=13)}&minutes=90"
    )
    assert response.status_code == 200
    for row in response.json():
        start, end = (
            datetime.fromisoformat(row["starts_at"]),
            datetime.fromisoformat(row["ends_at"]),
        )
        assert calendar.slot_reasons(PARIS, start, end) == []
        assert end - start == timedelta(minutes=90)


def test_free_slots_bad_input_names_the_field(api, world):
    client = api(world.participant)
    assert (
        client.get(
            "/academies/normandie/free-slots?from=2026-12-01&to=2026-12-02&minutes=5"
        ).json()["error"]["details"]["field"]
        == "minutes"
    )
    assert (
        client.get("/academies/normandie/free-slots?from=2026-12-01&to=2027-12-02").json()["error"][
            "details"
        ]["field"]
        == "to"
    )
    assert (
        client.get("/academies/nulle-part/free-slots?from=2026-12-01&to=2026-12-02").status_code
        == 404
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"until": "2026-01-01"}, "until"),
        ({"start_time": "25:00"}, "start_time"),
        ({"minutes": 5}, "minutes"),
        ({"interval_weeks": 0}, "interval_weeks"),
        ({"first_day": "mercredi"}, "first_day"),
        ({"agenda": [{"title": "", "minutes": 15}]}, "agenda"),
    ],
)
def test_bad_series_input_names_the_field_and_changes_nothing(api, world, change, field):
    first = timezone.localdate() + timedelta(days=14)
    body = {"session_id": world.session.pk, "first_day": first.isoformat()}
    body |= {"until": (first + timedelta(weeks=4)).isoformat()} | change
    response = api(world.trainer).post("/series", body)
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"].startswith(field)
    assert not Series.objects.exists() and not ScheduledClass.objects.exists()


def test_an_invitation_without_agenda_still_says_its_session_and_where_to_join(api, world):
    """A class closed from a poll has no agenda: its event names the session and the link."""
    poll_id = _closed_poll(api, world)
    response = api(world.participant).get(f"/polls/{poll_id}/event.ics")
    event = icalendar.Calendar.from_ical(response.content).events[0]
    room = str(event["url"])
    assert room.startswith("http://testserver/") and room.endswith("/")
    assert str(event["description"]) == f"Session « Session Rouen Nord »\n\nRejoindre : {room}"
