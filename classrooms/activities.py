"""In-class activities a moderator leads: quick polls, breakout rooms, the agenda."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.errors import ErrorCode, ServiceError
from realtime import publish

from . import events, live, selectors
from .models import Classroom, QuickPoll, QuickPollAnswer, Seat
from .services import _require_inside, _require_moderator, _require_running, _target, invalid

MAX_CHOICES = 10
MAX_GROUPS = 20
MAX_BREAKOUT_MINUTES = 120


# -- quick polls ----------------------------------------------------------------------------


def poll_view(poll: QuickPoll) -> events.PollView:
    return events.PollView(
        poll_id=poll.pk,
        question=poll.question,
        choices=poll.choices,
        multiple=poll.multiple,
        anonymous=poll.anonymous,
        results_public=poll.results_public,
        state=poll.state,
    )


def _clean_choices(choices) -> list[str]:
    if not isinstance(choices, list) or not 2 <= len(choices) <= MAX_CHOICES:
        raise invalid("choices", _("Proposez de 2 à 10 réponses."))
    cleaned = [c.strip() for c in choices if isinstance(c, str)]
    if len(cleaned) != len(choices) or any(not 0 < len(c) <= 120 or "\x00" in c for c in cleaned):
        raise invalid("choices", _("Chaque réponse compte de 1 à 120 caractères."))
    return cleaned


@transaction.atomic
def open_poll(
    *,
    room: Classroom,
    actor,
    question: str,
    choices: list[str],
    multiple: bool = False,
    anonymous: bool = True,
    results_public: bool = False,
) -> QuickPoll:
    _require_moderator(actor, room)
    _require_running(room)
    question = (question or "").strip()
    if not 0 < len(question) <= 300 or "\x00" in question:
        raise invalid("question", _("La question compte de 1 à 300 caractères."))
    poll = QuickPoll.objects.create(
        classroom=room,
        question=question,
        choices=_clean_choices(choices),
        multiple=multiple,
        anonymous=anonymous,
        results_public=results_public,
    )
    publish(room.topic, events.PollOpened(poll=poll_view(poll)))
    _publish_results(poll)
    return poll


@transaction.atomic
def answer_poll(*, poll: QuickPoll, actor, choices: list[int]) -> None:
    """Answer (or change one's answer) while the poll is open."""
    _require_inside(actor, poll.classroom)
    if poll.state != QuickPoll.State.OPEN:
        raise ServiceError(ErrorCode.CONFLICT, _("Ce sondage est clos."))
    valid = range(len(poll.choices))
    if (
        not isinstance(choices, list)
        or not choices
        or len(set(choices)) != len(choices)
        or any(type(c) is not int or c not in valid for c in choices)
        or (len(choices) > 1 and not poll.multiple)
    ):
        raise invalid("choices", _("Choix invalide pour ce sondage."))
    QuickPollAnswer.objects.update_or_create(
        poll=poll, user=actor, defaults={"choices": sorted(choices)}
    )
    _publish_results(poll)


@transaction.atomic
def close_poll(*, poll: QuickPoll, actor) -> None:
    _require_moderator(actor, poll.classroom)
    if poll.state == QuickPoll.State.CLOSED:
        return
    poll.state = QuickPoll.State.CLOSED
    poll.save(update_fields=["state"])
    publish(poll.classroom.topic, events.PollClosed(poll_id=poll.pk))
    _publish_results(poll)


def _publish_results(poll: QuickPoll) -> None:
    """Live counts: to the whole room when public, else to each moderator's own topic."""
    counts, respondents = selectors.poll_counts(poll)
    event = events.PollResults(
        classroom_id=poll.classroom_id, poll_id=poll.pk, counts=counts, respondents=respondents
    )
    if poll.results_public:
        publish(poll.classroom.topic, event)
        return
    for user_id in sorted(selectors.moderator_ids(poll.classroom)):
        publish(f"user:{user_id}", event)


# -- breakout rooms -------------------------------------------------------------------------


@transaction.atomic
def start_breakouts(
    *,
    room: Classroom,
    actor,
    minutes: int,
    groups: list[list[int]] | None = None,
    count: int | None = None,
    participants: list[int] | None = None,
) -> dict[int, int]:
    """Split the class: chosen `groups` of user ids, or `count` random groups of
    `participants` (the people present, as the moderator's page lists them)."""
    _require_moderator(actor, room)
    _require_running(room)
    if type(minutes) is not int or not 1 <= minutes <= MAX_BREAKOUT_MINUTES:
        raise invalid("minutes", _("Durée de 1 à 120 minutes."))
    if groups is None:
        if type(count) is not int or not 2 <= count <= MAX_GROUPS or not participants:
            raise invalid("count", _("Indiquez de 2 à 20 groupes et les participants."))
        people = list(dict.fromkeys(participants))
        random.shuffle(people)
        groups = [people[index::count] for index in range(count)]
    if not 2 <= len(groups) <= MAX_GROUPS:
        raise invalid("groups", _("Formez de 2 à 20 groupes."))
    assignment: dict[int, int] = {}
    for number, members in enumerate(groups, start=1):
        for user_id in members:
            if type(user_id) is not int or user_id in assignment:
                raise invalid("groups", _("Chaque personne est dans un seul groupe."))
            assignment[user_id] = number
    room = Classroom.objects.select_for_update().get(pk=room.pk)
    room.seats.update(group=None)
    for user_id, number in assignment.items():
        seat = _target(room, user_id)
        seat.group = number
        seat.save(update_fields=["group"])
    room.breakout_groups = len(groups)
    room.breakout_ends_at = timezone.now() + timedelta(minutes=minutes)
    room.save(update_fields=["breakout_groups", "breakout_ends_at"])
    _announce_breakouts(room)
    return assignment


@transaction.atomic
def end_breakouts(*, room: Classroom, actor) -> None:
    """Everyone back in the main room."""
    _require_moderator(actor, room)
    room = Classroom.objects.select_for_update().get(pk=room.pk)
    if not room.breakout_groups:
        return
    room.seats.update(group=None)
    room.breakout_groups, room.breakout_ends_at = 0, None
    room.save(update_fields=["breakout_groups", "breakout_ends_at"])
    _announce_breakouts(room)


def end_breakouts_if_due(room: Classroom) -> bool:
    """Bring everyone back once the breakout timer is over (called by the room's pages)."""
    with transaction.atomic():
        room = Classroom.objects.select_for_update().get(pk=room.pk)
        if not room.breakout_ends_at or room.breakout_ends_at > timezone.now():
            return False
        room.seats.update(group=None)
        room.breakout_groups, room.breakout_ends_at = 0, None
        room.save(update_fields=["breakout_groups", "breakout_ends_at"])
        _announce_breakouts(room)
    return True


@transaction.atomic
def visit(*, room: Classroom, actor, group: int | None) -> None:
    """A moderator joins a breakout room (or the main room with None), hearing its members."""
    _require_moderator(actor, room)
    room.refresh_from_db()
    if group is not None and (type(group) is not int or not 1 <= group <= room.breakout_groups):
        raise invalid("group", _("Ce groupe n'existe pas."))
    seat, _created = Seat.objects.get_or_create(classroom=room, user=actor)
    seat.group = group
    seat.save(update_fields=["group"])
    _announce_breakouts(room)


def _announce_breakouts(room: Classroom) -> None:
    groups = dict(room.seats.filter(group__isnull=False).values_list("user_id", "group"))
    publish(room.topic, events.BreakoutsChanged(groups=groups, ends_at=room.breakout_ends_at))
    room_id = room.pk
    transaction.on_commit(lambda: live.apply_rules(room_id))


# -- agenda ---------------------------------------------------------------------------------


@transaction.atomic
def next_segment(*, room: Classroom, actor) -> None:
    """Move the class to the agenda's next segment, its clock starting now."""
    _require_moderator(actor, room)
    room = Classroom.objects.select_for_update().get(pk=room.pk)
    if room.state != Classroom.State.LIVE:
        raise ServiceError(ErrorCode.CONFLICT, _("La classe n'a pas commencé."))
    if room.segment + 1 >= len(selectors.agenda(room)):
        raise ServiceError(ErrorCode.CONFLICT, _("C'est la dernière partie de l'ordre du jour."))
    room.segment += 1
    room.segment_started_at = timezone.now()
    room.save(update_fields=["segment", "segment_started_at"])
    publish(
        room.topic, events.AgendaChanged(segment=room.segment, started_at=room.segment_started_at)
    )
