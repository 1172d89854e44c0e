"""Slots the calendar allows, found from today so that tests do not age."""

from datetime import datetime, timedelta

from django.utils import timezone

from scheduling import calendar
from scheduling.calendar import AcademyCalendar

PARIS = AcademyCalendar()


def good_slots(count: int, *, minutes: int = 60, after_days: int = 7) -> list[datetime]:
    """Starts of allowed slots on distinct days that are not on the eve of a break."""
    first = timezone.localdate() + timedelta(days=after_days)
    starts: list[datetime] = []
    for start, _end in calendar.free_slots(PARIS, first, first + timedelta(days=60), minutes):
        if start.hour != 10 or calendar.eve_reasons(PARIS, start.date()):
            continue
        starts.append(start)
        if len(starts) == count:
            return starts
    raise AssertionError("no allowed slots in the coming two months")


def slot_body(start: datetime, minutes: int = 60, **extra) -> dict:
    return {
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(minutes=minutes)).isoformat(),
    } | extra


def next_weekday(weekday: int, *, after_days: int = 7) -> datetime:
    day = timezone.localdate() + timedelta(days=after_days)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return datetime.combine(day, datetime.min.time(), tzinfo=PARIS.zone)


def two_slot_poll(world):
    """A poll of the world's session on two allowed slots, proposed by its trainer."""
    from scheduling import services
    from scheduling.schemas import SlotIn

    return services.create_poll(
        session=world.session,
        actor=world.trainer,
        title="Quand se retrouver ?",
        slots=[SlotIn(**slot_body(start)) for start in good_slots(2)],
    )
