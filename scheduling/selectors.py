"""Reads of scheduling: calendars, polls and their counts, scheduled classes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.utils import timezone

from parcours import policies
from parcours import selectors as parcours_selectors
from parcours.errors import ErrorCode, not_found
from parcours.models import Academy, Scope, Session
from parcours.policies import Action, Decision

from . import calendar
from .models import Answer, Ballot, Poll, PollSlot, ScheduledClass, Series, WorkingHours


def calendar_for(academy: Academy) -> calendar.AcademyCalendar:
    """The academy's calendar, with its own working hours when it has set them."""
    hours = WorkingHours.objects.filter(academy=academy).first()
    extra = {}
    if hours is not None:
        extra = {
            "working_days": frozenset(int(day) for day in hours.working_days),
            "day_start": hours.day_start,
            "day_end": hours.day_end,
        }
    return calendar.AcademyCalendar(
        timezone=academy.timezone,
        school_zone=academy.school_zone,
        holiday_subdivision=academy.holiday_subdivision,
        **extra,
    )


def get_academy(code: str) -> Academy:
    academy = Academy.objects.filter(code=code).first()
    if academy is None:
        raise not_found("académie", code)
    return academy


def get_poll(poll_id: int) -> Poll:
    poll = (
        Poll.objects.select_related("session__academy", "session__parcours", "scheduled_class")
        .filter(pk=poll_id)
        .first()
    )
    if poll is None:
        raise not_found("sondage", poll_id)
    return poll


def get_scheduled_class(class_id: int) -> ScheduledClass:
    """A class of a session or a space, with its scope's owner (what the policies read)."""
    found = (
        ScheduledClass.objects.select_related(*parcours_selectors.scope_joins())
        .filter(pk=class_id)
        .first()
    )
    if found is None:
        raise not_found("classe", class_id)
    return found


def get_series(series_id: int) -> Series:
    series = (
        Series.objects.select_related("scope__session__academy", "scope__space__academy")
        .filter(pk=series_id)
        .first()
    )
    if series is None:
        raise not_found("série", series_id)
    return series


def poll_topic_decision(user, object_id: int) -> Decision:
    """Who may follow `poll:<id>` live: whoever may read the session's contributions."""
    poll = Poll.objects.select_related("session").filter(pk=object_id).first()
    if poll is None:
        return Decision(False, ErrorCode.NOT_FOUND, f"Sondage {object_id} introuvable.")
    return policies.decide(user, Action.READ_CONTRIBUTIONS, poll.session)


def planned_classes(scope: Scope) -> list[ScheduledClass]:
    return list(ScheduledClass.objects.filter(scope=scope, state=ScheduledClass.State.SCHEDULED))


def week_planned_minutes(
    cal: calendar.AcademyCalendar, classes: list[ScheduledClass], moment: datetime
) -> int:
    """Distance work already planned in the local week of `moment`."""
    monday, next_monday = calendar.week_bounds(cal, moment)
    return sum(c.minutes for c in classes if monday <= c.starts_at < next_monday)


def starts_training(classes: list[ScheduledClass], moment: datetime) -> bool:
    """A slot opens the training when no class of the session (or space) comes before it."""
    return not any(c.starts_at < moment for c in classes)


def slot_reasons(scope: Scope, start: datetime, end: datetime) -> list[str]:
    """The calendar's verdict on a class of `scope`, with everything it depends on."""
    return _judge(calendar_for(scope.academy), planned_classes(scope), start, end)


def _judge(
    cal: calendar.AcademyCalendar,
    classes: list[ScheduledClass],
    start: datetime,
    end: datetime,
    now: datetime | None = None,
) -> list[str]:
    return calendar.slot_reasons(
        cal,
        start,
        end,
        first_of_training=starts_training(classes, start),
        week_planned_minutes=week_planned_minutes(cal, classes, start),
        now=now or timezone.now(),
    )


@dataclass(frozen=True)
class SlotTally:
    slot: PollSlot
    yes: int
    maybe: int
    no: int

    @property
    def seats_left(self) -> int | None:
        if self.slot.seat_limit is None:
            return None
        return max(self.slot.seat_limit - self.yes, 0)

    @property
    def support(self) -> tuple[int, int]:
        return (self.yes, self.maybe)


def tallies(poll: Poll) -> list[SlotTally]:
    counted = poll.slots.annotate(
        yes=Count("answers", filter=Q(answers__choice=Answer.Choice.YES)),
        maybe=Count("answers", filter=Q(answers__choice=Answer.Choice.MAYBE)),
        no=Count("answers", filter=Q(answers__choice=Answer.Choice.NO)),
    )
    return [SlotTally(slot, slot.yes, slot.maybe, slot.no) for slot in counted]


def suggested_slot(rows: list[SlotTally]) -> PollSlot | None:
    """The best-supported slot: most "yes", then most "if need be", then the earliest."""
    if not rows:
        return None
    best = max(rows, key=lambda row: (row.support, -row.slot.starts_at.timestamp()))
    return best.slot


def respondents(poll: Poll) -> int:
    return poll.ballots.count()


def results_visible(poll: Poll, user) -> bool:
    """Hidden results open when the poll stops taking answers, or to its trainers."""
    if not poll.hide_results or not poll.accepts_answers():
        return True
    return policies.can(user, Action.VIEW_POLL_RESULTS, poll.session)


def ballot_of(poll: Poll, user) -> Ballot | None:
    return Ballot.objects.filter(poll=poll, user=user).prefetch_related("answers").first()


def ballots(poll: Poll) -> list[Ballot]:
    """Every member's answers, for the trainers' table and CSV export."""
    return list(
        poll.ballots.select_related("user").prefetch_related("answers").order_by("user__last_name")
    )


def session_polls(session: Session) -> list[Poll]:
    return list(session.polls.all())


def scope_classes(scope: Scope) -> list[ScheduledClass]:
    return list(scope.scheduled_classes.select_related("scope"))


def upcoming_classes(scope: Scope, *, limit: int = 5) -> list[ScheduledClass]:
    return list(
        scope.scheduled_classes.select_related("scope").filter(
            state=ScheduledClass.State.SCHEDULED, ends_at__gt=timezone.now()
        )[:limit]
    )


def series_dates(series: Series) -> list[date]:
    """Every date the series' rule names, whether or not a class takes place."""
    step = timedelta(weeks=series.interval_weeks)
    days, day = [], series.first_day
    while day <= series.until:
        days.append(day)
        day += step
    return days


def series_exdates(series: Series) -> list[datetime]:
    """The rule's dates on which no class takes place (skipped or cancelled)."""
    zone = ZoneInfo(series.timezone)
    held = {
        c.starts_at.astimezone(zone).date()
        for c in series.occurrences.filter(state=ScheduledClass.State.SCHEDULED)
    }
    return [
        datetime.combine(day, series.start_time, tzinfo=zone)
        for day in series_dates(series)
        if day not in held
    ]


@dataclass(frozen=True)
class GridCell:
    start: datetime
    reasons: list[str]

    @property
    def title(self) -> str:
        return " · ".join(calendar.describe(reason) for reason in self.reasons)

    @property
    def code(self) -> str:
        """The first reason's code, without the name a holiday appends."""
        return self.reasons[0].partition(":")[0] if self.reasons else ""

    @property
    def short(self) -> str:
        return calendar.REASON_SHORT.get(self.code, "")


def week_grid(
    scope: Scope, monday: date, *, step: int = 30, first_hour: int = 7, last_hour: int = 20
) -> list[list[GridCell]]:
    """Rows of half-hours, columns of days: each cell says why a class may not start there."""
    cal = calendar_for(scope.academy)
    classes = planned_classes(scope)
    now = timezone.now()
    rows = []
    for minute in range(first_hour * 60, last_hour * 60, step):
        row = []
        for offset in range(7):
            start = datetime.combine(
                monday + timedelta(days=offset), time(minute // 60, minute % 60), tzinfo=cal.zone
            )
            reasons = _judge(cal, classes, start, start + timedelta(minutes=step), now)
            row.append(GridCell(start, reasons))
        rows.append(row)
    return rows


def grid_legend(grid: list[list[GridCell]]) -> list[tuple[str, str]]:
    """(short mark, label) of each reason the grid's refused cells show, in REASON_SHORT order."""
    shown = {cell.code for row in grid for cell in row if cell.reasons}
    return [
        (short, calendar.REASON_LABELS[code])
        for code, short in calendar.REASON_SHORT.items()
        if code in shown
    ]


def first_open_week(scope: Scope, monday: date, *, weeks: int = 12) -> tuple[date, list]:
    """The first week from `monday` with a slot a class may start in, and its grid; `monday`
    itself when none of the next `weeks` has one (the page then says why, cell by cell)."""
    for offset in range(weeks):
        week = monday + timedelta(weeks=offset)
        grid = week_grid(scope, week)
        if any(not cell.reasons for row in grid for cell in row):
            return week, grid
    return monday, week_grid(scope, monday)


def scope_series(scope: Scope) -> list[Series]:
    return list(scope.series.all())


def answers_table(poll: Poll) -> list[list[str]]:
    """The poll's answers as exported: counts per slot, or, for a poll created nominative,
    each person's choices and comment. Nominative exports are limited by the platform's rules
    to participant lists and attestations, and to what people were told when answering."""
    zone = ZoneInfo(poll.session.academy.timezone)
    labels = dict(Answer.Choice.choices)

    def when(slot: PollSlot) -> str:
        return slot.starts_at.astimezone(zone).strftime("%d/%m/%Y %H:%M")

    if not poll.nominative:
        rows = [["créneau", *(labels[c] for c in ("yes", "maybe", "no"))]]
        rows += [[when(t.slot), str(t.yes), str(t.maybe), str(t.no)] for t in tallies(poll)]
        return rows
    slots = list(poll.slots.all())
    rows = [["nom", *(when(s) for s in slots), "commentaire"]]
    for ballot in ballots(poll):
        choices = {a.slot_id: a.choice for a in ballot.answers.all()}
        rows.append(
            [
                parcours_selectors.display_name(ballot.user),
                *(labels.get(choices.get(s.pk), "") for s in slots),
                ballot.comment,
            ]
        )
    return rows
