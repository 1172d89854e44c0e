"""When live classes may happen: the one place that says it.

The platform's framework for trainers: virtual classes take place in working hours on
working days, never on weekends, public holidays or the school holidays of the academy's
zone; a training does not start on the eve of a weekend, a public holiday or school
holidays; distance work is capped at two hours a week.

Everything here is a pure function of an `AcademyCalendar` (time zone, school zone,
public-holiday subdivision, working hours) and the slot asked about. A refusal names every
reason, never only the first. School-holiday data ends somewhere: a date past it answers
`calendar_unknown`, it is never silently allowed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
from vacances_scolaires_france import SchoolHolidayDates

WEEKEND = "weekend"
OUTSIDE_WORKING_HOURS = "outside_working_hours"
EVE_OF_BREAK = "eve_of_break"
WEEKLY_DISTANCE_CAP = "weekly_distance_cap"
CALENDAR_UNKNOWN = "calendar_unknown"
PAST = "past"
PUBLIC_HOLIDAY = "public_holiday"
SCHOOL_HOLIDAYS = "school_holidays"
AFTER_SESSION_END = "after_session_end"

# What the pages say for each reason; a reason with a name appends it ("Jour férié : Noël").
REASON_LABELS = {
    WEEKEND: "Week-end",
    PUBLIC_HOLIDAY: "Jour férié",
    SCHOOL_HOLIDAYS: "Vacances scolaires",
    OUTSIDE_WORKING_HOURS: "Hors des heures de travail",
    EVE_OF_BREAK: "Veille de congé : une formation n'y commence pas",
    WEEKLY_DISTANCE_CAP: "Plus de deux heures de classe à distance dans la semaine",
    CALENDAR_UNKNOWN: "Calendrier scolaire pas encore publié pour cette date",
    PAST: "Créneau passé",
    AFTER_SESSION_END: "Après la fin de la session",
}

# What a refused cell of the planning grid shows (its legend spells out REASON_LABELS).
REASON_SHORT = {
    WEEKEND: "WE",
    PUBLIC_HOLIDAY: "F",
    SCHOOL_HOLIDAYS: "V",
    OUTSIDE_WORKING_HOURS: "H",
    EVE_OF_BREAK: "Ve",
    WEEKLY_DISTANCE_CAP: "2h",
    CALENDAR_UNKNOWN: "?",
    PAST: "P",
    AFTER_SESSION_END: "Fin",
}

# Distance work is limited to two hours a week (framework for trainers).
WEEKLY_DISTANCE_CAP_MINUTES = 120
DEFAULT_WORKING_DAYS = frozenset(range(5))  # Monday to Friday
DEFAULT_DAY_START = time(8, 0)
DEFAULT_DAY_END = time(18, 0)

PACKAGE_ZONES = frozenset({"A", "B", "C"})
DATA_FILE = Path(__file__).parent / "data" / "school_holidays.json"

# Subdivision codes people write that the `holidays` package spells differently: the Bas-Rhin
# and Haut-Rhin share Alsace's extra days, and Guyane is "973" (alias "GY", not "GF").
SUBDIVISION_ALIASES = {"67": "6AE", "68": "6AE", "GF": "973"}


@dataclass(frozen=True)
class AcademyCalendar:
    """What the rules need to know about an academy."""

    timezone: str = "Europe/Paris"
    school_zone: str = "B"
    holiday_subdivision: str = ""
    working_days: frozenset[int] = field(default=DEFAULT_WORKING_DAYS)
    day_start: time = DEFAULT_DAY_START
    day_end: time = DEFAULT_DAY_END

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)


@dataclass(frozen=True)
class SchoolPeriod:
    name: str
    first_day: date
    last_day: date


@dataclass(frozen=True)
class ZoneHolidays:
    """One zone's school holidays and the dates they are known for."""

    source: str
    known_from: date | None
    known_until: date | None
    periods: tuple[SchoolPeriod, ...]

    def knows(self, day: date) -> bool:
        return bool(self.known_from and self.known_until) and (
            self.known_from <= day <= self.known_until
        )

    def holiday_on(self, day: date) -> str | None:
        for period in self.periods:
            if period.first_day <= day <= period.last_day:
                return period.name
        return None


def _parse_day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@cache
def school_holiday_zones() -> dict[str, ZoneHolidays]:
    """Every zone's school holidays: the package for A, B and C, the repo's data file for
    Corse and overseas. Loaded once."""
    zones: dict[str, ZoneHolidays] = {}
    package = SchoolHolidayDates()
    # The package answers "not a holiday" for any date after its data: its last holiday day
    # is the last day it actually knows about.
    package_until = max(package.data)
    package_from = date(package.min_year, 1, 1)
    for zone in PACKAGE_ZONES:
        key = package.zone_key(zone)
        days = sorted(day for day, row in package.data.items() if row[key])
        zones[zone] = ZoneHolidays(
            source="vacances-scolaires-france (data.education.gouv.fr)",
            known_from=package_from,
            known_until=package_until,
            periods=tuple(_runs(days, package.data)),
        )
    for name, raw in json.loads(DATA_FILE.read_text(encoding="utf-8"))["zones"].items():
        zones[name] = ZoneHolidays(
            source=raw["source"],
            known_from=_parse_day(raw["known_from"]),
            known_until=_parse_day(raw["known_until"]),
            periods=tuple(
                SchoolPeriod(
                    p["name"], date.fromisoformat(p["first_day"]), _parse_day(p["last_day"])
                )
                for p in raw["periods"]
            ),
        )
    return zones


def _runs(days: list[date], rows: dict) -> list[SchoolPeriod]:
    """Consecutive holiday days grouped into named periods."""
    periods: list[SchoolPeriod] = []
    for day in days:
        name = rows[day]["nom_vacances"]
        last = periods[-1] if periods else None
        if last and last.name == name and last.last_day == day - timedelta(days=1):
            periods[-1] = SchoolPeriod(name, last.first_day, day)
        else:
            periods.append(SchoolPeriod(name, day, day))
    return periods


@cache
def _public_holidays(subdivision: str, year: int) -> dict[date, str]:
    subdiv = SUBDIVISION_ALIASES.get(subdivision, subdivision) or None
    return dict(holidays.France(subdiv=subdiv, years=year, language="fr"))


def day_reasons(calendar: AcademyCalendar, day: date) -> list[str]:
    """Why no class may take place on `day` (local date), empty when it is a working day."""
    reasons: list[str] = []
    if day.weekday() >= 5:
        reasons.append(WEEKEND)
    holiday = _public_holidays(calendar.holiday_subdivision, day.year).get(day)
    if holiday:
        reasons.append(f"{PUBLIC_HOLIDAY}:{holiday}")
    zone = school_holiday_zones().get(calendar.school_zone)
    if zone is None or not zone.knows(day):
        reasons.append(CALENDAR_UNKNOWN)
    elif name := zone.holiday_on(day):
        reasons.append(f"{SCHOOL_HOLIDAYS}:{name}")
    if not reasons and day.weekday() not in calendar.working_days:
        reasons.append(OUTSIDE_WORKING_HOURS)
    return reasons


def slot_reasons(
    calendar: AcademyCalendar,
    start: datetime,
    end: datetime,
    *,
    first_of_training: bool = False,
    week_planned_minutes: int = 0,
    now: datetime | None = None,
) -> list[str]:
    """Every reason why a class from `start` to `end` (aware datetimes) is refused.

    `first_of_training` adds the eve-of-break rule; `week_planned_minutes` is the distance
    work already planned for the session in the slot's local week; `now`, when given,
    refuses a slot that has begun.
    """
    if start.tzinfo is None or end.tzinfo is None or end <= start:
        raise ValueError("a slot needs aware datetimes and a positive duration")
    local_start, local_end = calendar.local(start), calendar.local(end)
    reasons = day_reasons(calendar, local_start.date())
    if OUTSIDE_WORKING_HOURS not in reasons and not within_working_hours(
        calendar, local_start, local_end
    ):
        reasons.append(OUTSIDE_WORKING_HOURS)
    if first_of_training:
        reasons.extend(eve_reasons(calendar, local_start.date()))
    minutes = duration_minutes(start, end)
    if week_planned_minutes + minutes > WEEKLY_DISTANCE_CAP_MINUTES:
        reasons.append(WEEKLY_DISTANCE_CAP)
    if now is not None and start <= now:
        reasons.append(PAST)
    return _unique(reasons)


def within_working_hours(
    calendar: AcademyCalendar, local_start: datetime, local_end: datetime
) -> bool:
    return (
        local_start.date() == local_end.date()
        and calendar.day_start <= local_start.time()
        and local_end.time() <= calendar.day_end
    )


def eve_reasons(calendar: AcademyCalendar, day: date) -> list[str]:
    """`eve_of_break` when the next day is no working day; `calendar_unknown` when nobody
    knows yet whether it is one."""
    following = day_reasons(calendar, day + timedelta(days=1))
    if not following:
        return []
    return [CALENDAR_UNKNOWN] if following == [CALENDAR_UNKNOWN] else [EVE_OF_BREAK]


def duration_minutes(start: datetime, end: datetime) -> int:
    """Elapsed minutes, computed in UTC so that a DST change is counted as it happens."""
    return int((end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() // 60)


def week_bounds(calendar: AcademyCalendar, moment: datetime) -> tuple[datetime, datetime]:
    """The local Monday 00:00 to next Monday 00:00 around `moment`, as aware datetimes."""
    local_day = calendar.local(moment).date()
    monday = local_day - timedelta(days=local_day.weekday())
    start = datetime.combine(monday, time(0), tzinfo=calendar.zone)
    return start, datetime.combine(monday + timedelta(days=7), time(0), tzinfo=calendar.zone)


def free_slots(
    calendar: AcademyCalendar,
    first_day: date,
    last_day: date,
    minutes: int,
    *,
    step: int = 30,
    now: datetime | None = None,
) -> list[tuple[datetime, datetime]]:
    """Every allowed slot of `minutes`, starting on a `step`-minute grid, between two dates
    (and after `now` when given)."""
    slots: list[tuple[datetime, datetime]] = []
    day = first_day
    while day <= last_day:
        if not day_reasons(calendar, day):
            moment = datetime.combine(day, calendar.day_start, tzinfo=calendar.zone)
            while True:
                end = moment + timedelta(minutes=minutes)
                if not within_working_hours(calendar, moment, end.astimezone(calendar.zone)):
                    break
                if now is None or moment > now:
                    slots.append((moment, end))
                moment += timedelta(minutes=step)
        day += timedelta(days=1)
    return slots


def overlaps(start: datetime, end: datetime, other_start: datetime, other_end: datetime) -> bool:
    """Two classes of one session or space may not share a minute; one may start as the
    other ends."""
    return start < other_end and other_start < end


def _unique(reasons: list[str]) -> list[str]:
    return list(dict.fromkeys(reasons))


def describe(reason: str) -> str:
    """The French sentence shown for a reason code."""
    code, _, name = reason.partition(":")
    label = REASON_LABELS.get(code, code)
    return f"{label} : {name}" if name else label
