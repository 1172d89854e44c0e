"""Every write of scheduling: polls, answers, closing into a class, "entre pairs" series.

Each slot goes through `scheduling.calendar` (via `selectors.slot_reasons`) before it is
stored; a refusal carries every reason. Events leave through `realtime.publish`, after
commit, on `poll:<id>` and on each member's `user:<id>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from parcours import policies
from parcours.errors import ErrorCode, ServiceError
from parcours.models import Scope, Session
from parcours.policies import Action
from realtime import publish, publish_many

from . import calendar, events, selectors
from .models import Answer, Ballot, Poll, PollSlot, ScheduledClass, Series

MAX_SLOTS = 30
MAX_SERIES_DAYS = 366
# The "entre pairs" format: 15 minutes of presentation, 15 of exchange.
MEETUP_AGENDA = [
    {"title": "Présentation", "minutes": 15},
    {"title": "Échanges", "minutes": 15},
]


@dataclass(frozen=True)
class SlotIn:
    starts_at: datetime
    ends_at: datetime
    seat_limit: int | None = None


def _invalid(message: str, **details) -> ServiceError:
    return ServiceError(ErrorCode.INVALID, message, details)


def _check_slots(scope: Scope, slots: list[SlotIn]) -> None:
    if not slots or len(slots) > MAX_SLOTS:
        raise _invalid(f"Proposez entre 1 et {MAX_SLOTS} créneaux.", field="slots")
    refused = []
    for index, slot in enumerate(slots):
        if slot.ends_at <= slot.starts_at:
            raise _invalid("Un créneau doit finir après son début.", field=f"slots.{index}.ends_at")
        reasons = selectors.slot_reasons(scope, slot.starts_at, slot.ends_at)
        if reasons:
            refused.append(
                {"index": index, "starts_at": slot.starts_at.isoformat(), "reasons": reasons}
            )
    if refused:
        raise _invalid(
            "Certains créneaux ne respectent pas le calendrier de l'académie.",
            field="slots",
            refused=refused,
        )


@transaction.atomic
def create_poll(
    *,
    session: Session,
    actor,
    title: str,
    slots: list[SlotIn],
    description: str = "",
    hide_results: bool = False,
    closes_at: datetime | None = None,
    nominative: bool = False,
) -> Poll:
    """`nominative` is said at creation and never changed: only then does the answers' export
    name people (the platform allows no other nominative export)."""
    policies.require(actor, Action.SCHEDULE_CLASS, session)
    if closes_at is not None and closes_at <= timezone.now():
        raise _invalid("La date de clôture doit être dans le futur.", field="closes_at")
    _check_slots(session.scope, slots)
    poll = Poll.objects.create(
        session=session,
        title=title,
        description=description,
        hide_results=hide_results,
        closes_at=closes_at,
        nominative=nominative,
    )
    PollSlot.objects.bulk_create(
        PollSlot(poll=poll, starts_at=s.starts_at, ends_at=s.ends_at, seat_limit=s.seat_limit)
        for s in slots
    )
    opened = events.PollOpened(
        poll_id=poll.pk,
        session_id=session.pk,
        title=poll.title,
        url=reverse("scheduling:poll", args=[poll.pk]),
    )
    members = sorted(policies.member_ids(session.scope))
    publish_many((f"user:{user_id}" for user_id in members if user_id != actor.pk), opened)
    return poll


def _require_open(poll: Poll) -> None:
    if not poll.accepts_answers():
        raise ServiceError(ErrorCode.CONFLICT, "Ce sondage est clos.", {"field": "poll"})


@transaction.atomic
def answer_poll(*, poll: Poll, user, choices: dict[int, str], comment: str | None = None) -> Ballot:
    """Record (or change) `user`'s answers; a full slot refuses one more "yes"."""
    policies.require(user, Action.VOTE, poll.session)
    # One writer per poll at a time: seat limits hold under concurrent answers.
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    _require_open(poll)
    slots = {slot.pk: slot for slot in poll.slots.all()}
    for slot_id, choice in choices.items():
        if slot_id not in slots:
            raise _invalid(f"Créneau {slot_id} inconnu.", field=f"choices.{slot_id}")
        if choice not in Answer.Choice.values:
            raise _invalid(f"Réponse « {choice} » inconnue.", field=f"choices.{slot_id}")
    # The poll's row is held: this person's ballot cannot be created twice meanwhile.
    ballot = Ballot.objects.filter(poll=poll, user=user).first()
    if ballot is None:
        ballot = Ballot.objects.create(poll=poll, user=user, comment=comment or "")
    elif comment is not None:
        ballot.comment = comment
        ballot.save(update_fields=["comment"])
    _check_seats(ballot, slots, choices)
    Answer.objects.bulk_create(
        [
            Answer(ballot=ballot, slot_id=slot_id, choice=choice)
            for slot_id, choice in choices.items()
        ],
        update_conflicts=True,
        unique_fields=["ballot", "slot"],
        update_fields=["choice"],
    )
    _publish_counts(poll)
    return ballot


def _check_seats(ballot: Ballot, slots: dict[int, PollSlot], choices: dict[int, str]) -> None:
    limited = [
        slot_id
        for slot_id, choice in choices.items()
        if choice == Answer.Choice.YES and slots[slot_id].seat_limit is not None
    ]
    if not limited:
        return
    taken = dict(
        Answer.objects.filter(slot_id__in=limited, choice=Answer.Choice.YES)
        .exclude(ballot=ballot)
        .values("slot_id")
        .annotate(n=Count("id"))
        .values_list("slot_id", "n")
    )
    full = [slot_id for slot_id in limited if taken.get(slot_id, 0) >= slots[slot_id].seat_limit]
    if full:
        raise ServiceError(
            ErrorCode.CONFLICT,
            "Plus de place sur ce créneau.",
            {"field": f"choices.{full[0]}", "full_slots": full},
        )


def _publish_counts(poll: Poll) -> None:
    rows = selectors.tallies(poll)
    respondents = selectors.respondents(poll)
    topic = f"poll:{poll.pk}"
    if poll.hide_results and poll.accepts_answers():
        publish(
            topic,
            events.PollSeats(
                poll_id=poll.pk,
                respondents=respondents,
                slots=[
                    events.SlotSeats(slot_id=row.slot.pk, seats_left=row.seats_left)
                    for row in rows
                    if row.seats_left is not None
                ],
            ),
        )
        return
    publish(
        topic,
        events.PollAnswerCounts(
            poll_id=poll.pk,
            respondents=respondents,
            slots=[
                events.SlotCounts(
                    slot_id=row.slot.pk,
                    yes=row.yes,
                    maybe=row.maybe,
                    no=row.no,
                    seats_left=row.seats_left,
                )
                for row in rows
            ],
        ),
    )


@transaction.atomic
def close_poll(*, poll: Poll, actor, slot_id: int | None = None) -> ScheduledClass:
    """Pick a slot (the trainer's, or the best-supported), schedule it, tell every member."""
    policies.require(actor, Action.SCHEDULE_CLASS, poll.session)
    poll = Poll.objects.select_for_update().select_related("session__academy").get(pk=poll.pk)
    if poll.state == Poll.State.CLOSED:
        raise ServiceError(ErrorCode.CONFLICT, "Ce sondage est déjà clos.", {"field": "poll"})
    if slot_id is None:
        slot = selectors.suggested_slot(selectors.tallies(poll))
    else:
        slot = poll.slots.filter(pk=slot_id).first()
    if slot is None:
        raise _invalid("Choisissez un créneau de ce sondage.", field="slot_id")
    reasons = selectors.slot_reasons(poll.session.scope, slot.starts_at, slot.ends_at)
    if reasons:
        raise _invalid(
            "Ce créneau ne respecte plus le calendrier de l'académie.",
            field="slot_id",
            reasons=reasons,
        )
    scheduled = ScheduledClass.objects.create(
        scope=poll.session.scope,
        title=poll.title,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        timezone=poll.session.academy.timezone,
    )
    slot.chosen = True
    slot.save(update_fields=["chosen"])
    poll.state = Poll.State.CLOSED
    poll.scheduled_class = scheduled
    poll.save(update_fields=["state", "scheduled_class"])
    _publish_counts(poll)
    publish(
        f"poll:{poll.pk}",
        events.PollClosed(poll_id=poll.pk, slot_id=slot.pk, class_id=scheduled.pk),
    )
    _notify_members(scheduled, reverse("api:poll_event_ics", kwargs={"poll_id": poll.pk}))
    return scheduled


def _notify_members(scheduled: ScheduledClass, ics_url: str) -> None:
    scope = scheduled.scope
    event = events.ClassScheduled(
        class_id=scheduled.pk,
        session_id=scope.session_id,
        space_id=scope.space_id,
        title=scheduled.title,
        starts_at=scheduled.starts_at,
        ends_at=scheduled.ends_at,
        timezone=scheduled.timezone,
        ics_url=ics_url,
    )
    publish_many((f"user:{user_id}" for user_id in sorted(policies.member_ids(scope))), event)


@dataclass(frozen=True)
class SeriesResult:
    series: Series
    occurrences: list[ScheduledClass]
    skipped: dict[date, list[str]]


@transaction.atomic
def create_series(
    *,
    scope: Scope,
    actor,
    title: str,
    first_day: date,
    until: date,
    start_time: time = time(15, 30),
    minutes: int = 30,
    interval_weeks: int = 2,
    agenda: list[dict] | None = None,
) -> SeriesResult:
    """An "entre pairs" series: every `interval_weeks` from `first_day`, one class per date
    the calendar allows; refused dates (holidays, unknown calendar, weekly cap, after the
    session's end) are skipped. A class that would overlap one already planned in the scope
    refuses the whole series, naming that class."""
    policies.require(actor, Action.SCHEDULE_CLASS, scope)
    if until < first_day or (until - first_day).days > MAX_SERIES_DAYS:
        raise _invalid("La série doit finir après son début, dans l'année.", field="until")
    requested_until, ends_on = until, _scope_end(scope)
    if ends_on is not None:
        if first_day > ends_on:
            raise _invalid(
                "La série commencerait après la fin de la session.",
                field="first_day",
                reasons=[calendar.AFTER_SESSION_END],
            )
        # The series' rule (and so its calendar feed) ends with the session.
        until = min(until, ends_on)
    cal = selectors.calendar_for(scope.academy)
    first_start = datetime.combine(first_day, start_time, tzinfo=cal.zone)
    first_end = first_start + timedelta(minutes=minutes)
    if not calendar.within_working_hours(cal, first_start, first_end):
        raise _invalid(
            "L'horaire de la série sort des heures de travail de l'académie.",
            field="start_time",
            reasons=[calendar.OUTSIDE_WORKING_HOURS],
        )
    series = Series.objects.create(
        scope=scope,
        title=title,
        first_day=first_day,
        until=until,
        interval_weeks=interval_weeks,
        start_time=start_time,
        minutes=minutes,
        timezone=cal.timezone,
        agenda=agenda if agenda is not None else MEETUP_AGENDA,
    )
    occurrences, skipped = [], {}
    for day in selectors.series_dates(series):
        start = datetime.combine(day, start_time, tzinfo=cal.zone)
        end = start + timedelta(minutes=minutes)
        classes = selectors.planned_classes(scope)
        reasons = calendar.slot_reasons(
            cal,
            start,
            end,
            week_planned_minutes=selectors.week_planned_minutes(cal, classes, start),
            now=timezone.now(),
        )
        if reasons:
            skipped[day] = reasons
            continue
        _refuse_overlap(classes, start, end)
        occurrences.append(
            ScheduledClass.objects.create(
                scope=scope,
                series=series,
                title=title,
                starts_at=start,
                ends_at=end,
                timezone=cal.timezone,
                agenda=series.agenda,
            )
        )
    step = timedelta(weeks=interval_weeks)
    day = first_day + step * ((until - first_day) // step + 1)
    while day <= requested_until:
        skipped[day] = [calendar.AFTER_SESSION_END]
        day += step
    return SeriesResult(series, occurrences, skipped)


def _scope_end(scope: Scope) -> date | None:
    """The last day of the session a scope belongs to (a space of a session included)."""
    session = scope.session if scope.session_id else getattr(scope.space, "session", None)
    return session.ends_on if session is not None else None


def _refuse_overlap(classes: list[ScheduledClass], start: datetime, end: datetime) -> None:
    for other in classes:
        if calendar.overlaps(start, end, other.starts_at, other.ends_at):
            local = other.starts_at.astimezone(ZoneInfo(other.timezone))
            raise ServiceError(
                ErrorCode.CONFLICT,
                f"Le {local:%d/%m/%Y} à {local:%H:%M}, la classe « {other.title} » occupe "
                "déjà ce créneau.",
                {
                    "field": "start_time",
                    "class_id": other.pk,
                    "class_title": other.title,
                    "starts_at": other.starts_at.isoformat(),
                },
            )
