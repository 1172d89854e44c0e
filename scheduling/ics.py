"""ICS invitations: one scheduled class, or a whole series as one event with RRULE and EXDATEs.

Times are written in the class's own time zone with its VTIMEZONE, so that calendar
applications show the academy's local time and follow its DST changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from .models import ScheduledClass, Series

PRODID = "-//Préau//Planification//FR"


@dataclass(frozen=True)
class FeedClass:
    """A class as a member's feed shows it: `url` its page, `place` its session or space."""

    scheduled: ScheduledClass
    url: str
    place: str


def _calendar() -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    return cal


def _finish(cal: icalendar.Calendar, first: date, last: date) -> bytes:
    # A VTIMEZONE covering only the event's span stays short (the default starts in 1970).
    cal.add_missing_timezones(
        first_date=first - timedelta(days=366), last_date=last + timedelta(days=366)
    )
    return cal.to_ical()


def _agenda_text(agenda: list[dict]) -> str:
    return "\n".join(f"{part['title']} ({part['minutes']} min)" for part in agenda)


def describe(*, place: str, agenda: list[dict], url: str) -> str:
    """What a class's event says: where it belongs, its agenda when it has one, where to
    join it (a class without an agenda still says the first and the last)."""
    lines = [place]
    if agenda:
        lines += ["", _agenda_text(agenda)]
    if url:
        lines += ["", f"Rejoindre : {url}"]
    return "\n".join(lines)


def class_invitation(
    scheduled: ScheduledClass, *, uid_domain: str, place: str, url: str = ""
) -> bytes:
    """`url`: where the class takes place (its virtual classroom), as the event's URL;
    `place`: its session or space, as people name it."""
    zone = ZoneInfo(scheduled.timezone)
    event = icalendar.Event()
    if url:
        event.add("url", url)
        event.add("location", url)
    event.add("uid", f"class-{scheduled.pk}@{uid_domain}")
    event.add("summary", scheduled.title)
    event.add("dtstart", scheduled.starts_at.astimezone(zone))
    event.add("dtend", scheduled.ends_at.astimezone(zone))
    event.add("dtstamp", scheduled.starts_at.astimezone(UTC))
    event.add("description", describe(place=place, agenda=scheduled.agenda, url=url))
    cal = _calendar()
    cal.add_component(event)
    return _finish(cal, scheduled.starts_at.date(), scheduled.ends_at.date())


def series_feed(series: Series, exdates: list[datetime], *, uid_domain: str) -> bytes:
    """The series as one recurring event; dates with no class are excluded by EXDATE."""
    zone = ZoneInfo(series.timezone)
    start = datetime.combine(series.first_day, series.start_time, tzinfo=zone)
    until = datetime.combine(series.until, series.start_time, tzinfo=zone)
    event = icalendar.Event()
    event.add("uid", f"series-{series.pk}@{uid_domain}")
    event.add("summary", series.title)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=series.minutes))
    event.add("dtstamp", start.astimezone(UTC))
    # With a local DTSTART, RFC 5545 wants UNTIL in UTC.
    rule = {"freq": "weekly", "interval": series.interval_weeks, "until": until.astimezone(UTC)}
    event.add("rrule", rule)
    for moment in exdates:
        event.add("exdate", moment)
    if series.agenda:
        event.add("description", _agenda_text(series.agenda))
    cal = _calendar()
    cal.add_component(event)
    return _finish(cal, series.first_day, series.until)


def member_feed(classes: list[FeedClass], *, uid_domain: str) -> bytes:
    """A member's classes, one event each, with where to join them and what they hold."""
    cal = _calendar()
    cal.add("x-wr-calname", "Préau : mes classes virtuelles")
    for item in classes:
        scheduled = item.scheduled
        zone = ZoneInfo(scheduled.timezone)
        event = icalendar.Event()
        event.add("uid", f"class-{scheduled.pk}@{uid_domain}")
        event.add("summary", scheduled.title)
        event.add("dtstart", scheduled.starts_at.astimezone(zone))
        event.add("dtend", scheduled.ends_at.astimezone(zone))
        event.add("dtstamp", scheduled.starts_at.astimezone(UTC))
        event.add("url", item.url)
        event.add("location", f"Classe virtuelle Préau : {item.url}")
        event.add("description", describe(place=item.place, agenda=scheduled.agenda, url=item.url))
        cal.add_component(event)
    if not classes:
        today = datetime.now(UTC).date()
        return _finish(cal, today, today)
    return _finish(cal, classes[0].scheduled.starts_at.date(), classes[-1].scheduled.ends_at.date())
