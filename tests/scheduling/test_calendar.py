"""The calendar as a table over real dates of 2026-2027, for academies of every kind."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduling import calendar
from scheduling.calendar import AcademyCalendar

PARIS = AcademyCalendar(timezone="Europe/Paris", school_zone="B")
MOSELLE = AcademyCalendar(timezone="Europe/Paris", school_zone="B", holiday_subdivision="57")
STRASBOURG = AcademyCalendar(timezone="Europe/Paris", school_zone="B", holiday_subdivision="67")
REUNION = AcademyCalendar(
    timezone="Indian/Reunion", school_zone="Réunion", holiday_subdivision="RE"
)
MAYOTTE = AcademyCalendar(
    timezone="Indian/Mayotte", school_zone="Mayotte", holiday_subdivision="YT"
)
CORSE = AcademyCalendar(timezone="Europe/Paris", school_zone="Corse")
GUYANE = AcademyCalendar(timezone="America/Cayenne", school_zone="Guyane", holiday_subdivision="GF")
MARTINIQUE = AcademyCalendar(
    timezone="America/Martinique", school_zone="Martinique", holiday_subdivision="MQ"
)
NOUMEA = AcademyCalendar(
    timezone="Pacific/Noumea", school_zone="Nouvelle Calédonie", holiday_subdivision="NC"
)


def local(cal: AcademyCalendar, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(cal.timezone))


CASES = [
    # (label, calendar, local start, minutes, first of training, expected reasons)
    ("ordinary Tuesday morning", PARIS, (2026, 12, 1, 10, 0), 60, False, []),
    ("Friday before the autumn holidays, zone B", PARIS, (2026, 10, 16, 10, 0), 60, False, []),
    (
        "Friday before the autumn holidays opens no training",
        PARIS,
        (2026, 10, 16, 10, 0),
        60,
        True,
        ["eve_of_break"],
    ),
    (
        "Monday of the autumn holidays",
        PARIS,
        (2026, 10, 19, 10, 0),
        60,
        False,
        ["school_holidays:Vacances de la Toussaint"],
    ),
    (
        "Good Friday is a public holiday in Moselle",
        MOSELLE,
        (2027, 3, 26, 10, 0),
        60,
        False,
        ["public_holiday:Vendredi saint"],
    ),
    ("Good Friday is a working day in Normandy", PARIS, (2027, 3, 26, 10, 0), 60, False, []),
    (
        "Bas-Rhin shares Alsace-Moselle's Good Friday",
        STRASBOURG,
        (2027, 3, 26, 10, 0),
        60,
        False,
        ["public_holiday:Vendredi saint"],
    ),
    (
        "20 December in La Réunion, a Sunday of the austral summer holidays",
        REUNION,
        (2026, 12, 20, 10, 0),
        60,
        False,
        [
            "weekend",
            "public_holiday:Abolition de l'esclavage",
            "school_holidays:Vacances de l'été austral",
        ],
    ),
    ("an ordinary Tuesday in La Réunion", REUNION, (2026, 11, 3, 9, 0), 60, False, []),
    (
        "Sunday of the DST change in Paris",
        PARIS,
        (2026, 10, 25, 10, 0),
        60,
        False,
        [
            "weekend",
            "school_holidays:Vacances de la Toussaint",
        ],
    ),
    ("Sunday of the spring DST change", PARIS, (2027, 3, 28, 10, 0), 60, False, ["weekend"]),
    (
        "18:00-18:30 is after hours",
        PARIS,
        (2026, 12, 1, 18, 0),
        30,
        False,
        ["outside_working_hours"],
    ),
    (
        "17:30-18:30 runs past 18:00",
        PARIS,
        (2026, 12, 1, 17, 30),
        60,
        False,
        ["outside_working_hours"],
    ),
    ("07:30 is too early", PARIS, (2026, 12, 1, 7, 30), 60, False, ["outside_working_hours"]),
    ("Wednesday 15:30 meetup", PARIS, (2026, 12, 2, 15, 30), 30, False, []),
    (
        "two and a half hours pass the weekly cap",
        PARIS,
        (2026, 12, 1, 9, 0),
        150,
        False,
        ["weekly_distance_cap"],
    ),
    (
        "autumn 2028: past the package's data",
        PARIS,
        (2028, 9, 12, 10, 0),
        60,
        False,
        ["calendar_unknown"],
    ),
    (
        "La Réunion after its last published calendar",
        REUNION,
        (2027, 9, 7, 10, 0),
        60,
        False,
        ["calendar_unknown"],
    ),
    (
        "Corse after its last published calendar",
        CORSE,
        (2026, 12, 1, 10, 0),
        60,
        False,
        ["calendar_unknown"],
    ),
    (
        "Corse's winter holidays",
        CORSE,
        (2026, 2, 17, 10, 0),
        60,
        False,
        ["school_holidays:Vacances d'hiver"],
    ),
    (
        "8 December in Corse, a day without class",
        CORSE,
        (2025, 12, 8, 10, 0),
        60,
        False,
        ["school_holidays:Festa di a Nazione"],
    ),
    ("an ordinary Tuesday in Corse", CORSE, (2026, 3, 10, 10, 0), 60, False, []),
    (
        "the day after Corse's last class",
        CORSE,
        (2026, 7, 4, 10, 0),
        60,
        False,
        ["weekend", "calendar_unknown"],
    ),
    (
        "Martinique's carnival holidays",
        MARTINIQUE,
        (2026, 2, 10, 10, 0),
        60,
        False,
        ["school_holidays:Vacances de Carnaval"],
    ),
    ("an ordinary Tuesday in Martinique", MARTINIQUE, (2026, 3, 10, 10, 0), 60, False, []),
    (
        "the day after Martinique's last class",
        MARTINIQUE,
        (2026, 7, 4, 10, 0),
        60,
        False,
        ["weekend", "calendar_unknown"],
    ),
    (
        "August holidays in Nouvelle-Calédonie",
        NOUMEA,
        (2026, 8, 11, 10, 0),
        60,
        False,
        ["school_holidays:Vacances de la 3e période"],
    ),
    (
        "January is the austral summer in Nouvelle-Calédonie",
        NOUMEA,
        (2026, 1, 13, 10, 0),
        60,
        False,
        ["school_holidays:Grandes vacances d'été"],
    ),
    ("an ordinary Tuesday in Nouméa", NOUMEA, (2026, 11, 24, 10, 0), 60, False, []),
    (
        "the day after Nouvelle-Calédonie's last class",
        NOUMEA,
        (2026, 12, 19, 10, 0),
        60,
        False,
        ["weekend", "calendar_unknown"],
    ),
    (
        "Mayotte without a recorded calendar",
        MAYOTTE,
        (2026, 12, 1, 10, 0),
        60,
        False,
        ["calendar_unknown"],
    ),
    (
        "abolition of slavery in Mayotte, and no calendar",
        MAYOTTE,
        (2027, 4, 27, 10, 0),
        60,
        False,
        ["public_holiday:Abolition de l'esclavage", "calendar_unknown"],
    ),
    (
        "Guyane's own holiday, spelled GF",
        GUYANE,
        (2027, 6, 10, 10, 0),
        60,
        False,
        ["public_holiday:Abolition de l'esclavage", "calendar_unknown"],
    ),
]


@pytest.mark.parametrize(
    ("label", "cal", "start", "minutes", "first", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_slot_reasons_table(label, cal, start, minutes, first, expected):
    begin = local(cal, *start)
    end = (begin.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(begin.tzinfo)
    assert calendar.slot_reasons(cal, begin, end, first_of_training=first) == expected


def _utc_slot(*parts: int, minutes: int) -> tuple[datetime, datetime]:
    start = datetime(*parts, tzinfo=UTC)
    return start, start + timedelta(minutes=minutes)


def test_utc_input_is_judged_in_local_time_across_the_dst_change():
    # 16:30 UTC is 18:30 in Paris before the October change, 17:30 after it.
    assert calendar.slot_reasons(PARIS, *_utc_slot(2026, 10, 16, 16, 30, minutes=30)) == [
        "outside_working_hours"
    ]
    assert calendar.slot_reasons(PARIS, *_utc_slot(2026, 11, 3, 16, 30, minutes=30)) == []


def test_one_utc_time_is_a_different_local_time_in_each_academy():
    # 14:30 UTC on a Tuesday: 15:30 in Paris, 18:30 in La Réunion.
    slot = _utc_slot(2026, 12, 1, 14, 30, minutes=30)
    assert calendar.slot_reasons(PARIS, *slot) == []
    assert calendar.slot_reasons(REUNION, *slot) == ["outside_working_hours"]


def test_weekly_cap_counts_what_is_already_planned():
    start = local(PARIS, 2026, 12, 1, 10, 0)
    end = local(PARIS, 2026, 12, 1, 11, 0)
    assert calendar.slot_reasons(PARIS, start, end, week_planned_minutes=60) == []
    assert calendar.slot_reasons(PARIS, start, end, week_planned_minutes=61) == [
        "weekly_distance_cap"
    ]


def test_a_begun_slot_is_refused_as_past():
    start = local(PARIS, 2026, 12, 1, 10, 0)
    end = local(PARIS, 2026, 12, 1, 11, 0)
    assert calendar.slot_reasons(PARIS, start, end, now=start) == ["past"]


def test_working_hours_are_configurable_per_academy():
    late = AcademyCalendar(day_start=time(9, 0), working_days=frozenset({0, 1}))
    wednesday = local(late, 2026, 12, 2, 10, 0)
    assert calendar.slot_reasons(late, wednesday, local(late, 2026, 12, 2, 11, 0)) == [
        "outside_working_hours"
    ]
    early = local(late, 2026, 12, 1, 8, 30)
    assert calendar.slot_reasons(late, early, local(late, 2026, 12, 1, 9, 30)) == [
        "outside_working_hours"
    ]


def test_free_slots_skip_holidays_and_stay_in_hours():
    slots = calendar.free_slots(PARIS, date(2026, 10, 12), date(2026, 10, 25), 60)
    days = {start.date() for start, _ in slots}
    assert days == {date(2026, 10, d) for d in (12, 13, 14, 15, 16)}
    assert all(start.hour >= 8 and end.hour <= 18 for start, end in slots)
    assert calendar.free_slots(PARIS, date(2028, 9, 4), date(2028, 9, 8), 60) == []


def test_every_data_zone_names_its_source_and_has_sane_periods():
    zones = calendar.school_holiday_zones()
    for name in [
        "Corse",
        "Réunion",
        "Mayotte",
        "Guadeloupe",
        "Martinique",
        "Guyane",
        "Nouvelle Calédonie",
        "Polynésie",
    ]:
        zone = zones[name]
        assert zone.source
        for period in zone.periods:
            assert period.first_day <= period.last_day
            assert zone.known_from <= period.first_day and period.last_day <= zone.known_until
    assert zones["B"].known_until == date(2028, 8, 31)
