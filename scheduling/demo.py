"""Demo scheduling for a session: an "entre pairs" series and an open time-slot poll.

Idempotent: a session that already has a series or a poll is left as it is. Slots come from
the calendar itself, so the demo never proposes a time the rules refuse.
"""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from parcours.models import Membership, Session

from . import calendar, selectors, services
from .models import Poll, Series

POLL_SLOTS = 3


@transaction.atomic
def seed(session: Session) -> None:
    """Give `session` a fortnightly meetup series and a poll its members can answer."""
    trainer = (
        Membership.objects.filter(session=session, role=Membership.Role.TRAINER)
        .select_related("user")
        .first()
    )
    if trainer is None:
        return
    cal = selectors.calendar_for(session.academy)
    today = timezone.localdate()
    if not Poll.objects.filter(session=session).exists():
        starts = _poll_starts(cal, today + timedelta(days=7))
        if starts:
            services.create_poll(
                session=session,
                actor=trainer.user,
                title="Classe virtuelle : les stratégies explicites",
                description="Indiquez les créneaux qui vous conviennent.",
                slots=[services.SlotIn(s, s + timedelta(hours=1), seat_limit=15) for s in starts],
            )
    first = today + timedelta(days=(2 - today.weekday()) % 7 or 7)  # next Wednesday
    until = min(first + timedelta(weeks=10), session.ends_on)
    if until >= first and not Series.objects.filter(scope__session=session).exists():
        services.create_series(
            scope=session.scope,
            actor=trainer.user,
            title="Entre pairs",
            first_day=first,
            until=until,
        )


def _poll_starts(cal: calendar.AcademyCalendar, first_day) -> list[datetime]:
    """Afternoon slots on days that are neither a break nor the eve of one."""
    starts = []
    for start, _end in calendar.free_slots(cal, first_day, first_day + timedelta(days=45), 60):
        if start.time() == time(14, 0) and not calendar.eve_reasons(cal, start.date()):
            starts.append(start)
        if len(starts) == POLL_SLOTS:
            break
    return starts
