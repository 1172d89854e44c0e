"""Reads of classrooms: rooms, who stands where in them, and what the media may carry.

`recordings/` reads classrooms through this module only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from parcours import policies
from parcours import selectors as parcours_selectors
from parcours.errors import ErrorCode, not_found
from parcours.models import Scope
from parcours.policies import Action, Decision

from .media.room import Rules
from .models import ChatMessage, Classroom, QuickPoll, Seat

# The lobby of a scheduled class opens this long before it starts.
LOBBY_BEFORE = timedelta(minutes=15)


def get_classroom(classroom_id: int) -> Classroom:
    room = (
        Classroom.objects.select_related(
            *parcours_selectors.scope_joins(), "scheduled_class", "presenter"
        )
        .filter(pk=classroom_id)
        .first()
    )
    if room is None:
        raise not_found("classe virtuelle", classroom_id)
    return room


def presenter_of(classroom_id: int) -> int | None:
    """Who presents in the room now (None: nobody, or no such room)."""
    return Classroom.objects.filter(pk=classroom_id).values_list("presenter_id", flat=True).first()


def scope_classrooms(scope: Scope) -> list[Classroom]:
    return list(scope.classrooms.select_related("scheduled_class"))


def classroom_ids_of_classes(class_ids: list[int]) -> dict[int, int]:
    """scheduled class id -> its classroom's id, for the rooms already created."""
    rows = Classroom.objects.filter(scheduled_class_id__in=class_ids)
    return dict(rows.values_list("scheduled_class_id", "id"))


def lobby_opens_at(room: Classroom) -> datetime | None:
    """When trainers may open the room (None: any time, an ad-hoc room)."""
    if room.scheduled_class is None:
        return None
    return room.scheduled_class.starts_at - LOBBY_BEFORE


def agenda(room: Classroom) -> list[dict]:
    if room.scheduled_class is None:
        return []
    return list(room.scheduled_class.agenda or [])


@dataclass(frozen=True)
class Standing:
    """How one person stands in one room: their role's grants (in the room's session or
    space), and their seat."""

    member: bool
    moderator: bool
    manager: bool
    seat: Seat | None

    @property
    def removed(self) -> bool:
        return bool(self.seat and self.seat.removed)

    @property
    def admitted(self) -> bool:
        return bool(self.seat and self.seat.admitted)


def standing(user, room: Classroom) -> Standing:
    held = policies.standings(user, room.scope)
    seat = Seat.objects.filter(classroom=room, user=user).first() if user.is_authenticated else None
    return Standing(
        member=policies.decide_for_standings(held, Action.CLASSROOM_JOIN, room.scope).allowed,
        moderator=policies.decide_for_standings(
            held, Action.CLASSROOM_MODERATE, room.scope
        ).allowed,
        manager=policies.decide_for_standings(held, Action.CLASSROOM_MANAGE, room.scope).allowed,
        seat=seat,
    )


def entry_decision(user, room: Classroom) -> Decision:
    """May `user` enter the room now (its topic, its media)? Moderators always may."""
    decision = policies.decide(user, Action.CLASSROOM_JOIN, room.scope)
    if not decision:
        return decision
    who = standing(user, room)
    if who.removed:
        return Decision(
            False, ErrorCode.FORBIDDEN, "Un animateur vous a retiré de cette classe virtuelle."
        )
    if who.moderator or who.admitted:
        return decision
    if room.locked:
        return Decision(False, ErrorCode.FORBIDDEN, "La classe virtuelle est verrouillée.")
    if room.waiting_room:
        return Decision(
            False, ErrorCode.FORBIDDEN, "Salle d'attente : un animateur va vous faire entrer."
        )
    return decision


def topic_decision(user, object_id: int) -> Decision:
    """`classroom:<id>`: the room's members, unless removed, locked out or still waiting."""
    room = (
        Classroom.objects.select_related(*parcours_selectors.scope_joins())
        .filter(pk=object_id)
        .first()
    )
    if room is None:
        return Decision(False, ErrorCode.NOT_FOUND, f"Classe virtuelle {object_id} introuvable.")
    return entry_decision(user, room)


def send_decision(user, object_id: int) -> Decision:
    """Taking part on `classroom:<id>` (chat, hands, reactions, media): members let in.

    An administrator inside the session through a grant never gets this far: a live class
    is for members only (trust frame).
    """
    room = (
        Classroom.objects.select_related(*parcours_selectors.scope_joins())
        .filter(pk=object_id)
        .first()
    )
    if room is None:
        return Decision(False, ErrorCode.NOT_FOUND, f"Classe virtuelle {object_id} introuvable.")
    decision = policies.decide(user, Action.CLASSROOM_PARTICIPATE, room.scope)
    if not decision:
        return decision
    return entry_decision(user, room)


def moderator_ids(room: Classroom) -> set[int]:
    return policies.member_ids_granted(Action.CLASSROOM_MODERATE, room.scope)


def is_muted(room: Classroom, seat: Seat | None) -> bool:
    """Muted by a moderator, or by "mute everyone" since the person last unmuted."""
    if seat is None:
        return room.mute_epoch > 0
    return seat.mic_muted or seat.unmuted_at_epoch < room.mute_epoch


def media_rules(room: Classroom) -> tuple[Rules, dict[int, Rules]]:
    """What the SFU lets through: (rules of everyone unlisted, rules per user id).

    Moderators are never muted or stopped by the room's rules. A participant's screen is
    forwarded only while they present.
    """
    moderators = moderator_ids(room)
    seats = {seat.user_id: seat for seat in room.seats.all()}

    def rules_for(user_id: int | None, seat: Seat | None) -> Rules:
        group = seat.group if seat and room.breakout_groups else None
        group_name = str(group) if group else ""
        if user_id in moderators:
            return Rules(group=group_name)
        return Rules(
            mic=not is_muted(room, seat),
            camera=not room.cameras_locked and not (seat and seat.camera_stopped),
            screen=user_id is not None and user_id == room.presenter_id,
            group=group_name,
        )

    per_user = {uid: rules_for(uid, seat) for uid, seat in seats.items()}
    for uid in moderators:
        per_user.setdefault(uid, rules_for(uid, None))
    if room.presenter_id is not None:
        per_user.setdefault(room.presenter_id, rules_for(room.presenter_id, None))
    return rules_for(None, None), per_user


def hand_queue(room: Classroom) -> list[dict]:
    seats = room.seats.filter(hand__isnull=False).select_related("user").order_by("hand")
    return [person(seat.user) for seat in seats]


def waiting_list(room: Classroom) -> list[dict]:
    seats = room.seats.filter(waiting=True).select_related("user").order_by("id")
    return [person(seat.user) for seat in seats]


def person(user) -> dict:
    return {"user_id": user.pk, "name": parcours_selectors.display_name(user)}


def chat_lines(room: Classroom, *, limit: int = 200) -> list[ChatMessage]:
    lines = room.messages.filter(deleted=False).select_related("author").order_by("-id")[:limit]
    return list(reversed(lines))


def get_chat_message(message_id: int) -> ChatMessage:
    message = (
        ChatMessage.objects.select_related(*parcours_selectors.scope_joins("classroom__"))
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        raise not_found("message", message_id)
    return message


def get_poll(poll_id: int) -> QuickPoll:
    poll = (
        QuickPoll.objects.select_related(*parcours_selectors.scope_joins("classroom__"))
        .filter(pk=poll_id)
        .first()
    )
    if poll is None:
        raise not_found("sondage", poll_id)
    return poll


def poll_counts(poll: QuickPoll) -> tuple[list[int], int]:
    counts = [0] * len(poll.choices)
    answers = list(poll.answers.values_list("choices", flat=True))
    for chosen in answers:
        for index in chosen:
            counts[index] += 1
    return counts, len(answers)


def poll_voters(poll: QuickPoll) -> list[dict]:
    """Who answered what: only for a poll that is not anonymous."""
    if poll.anonymous:
        return []
    answers = poll.answers.select_related("user").order_by("user__last_name", "user_id")
    return [person(a.user) | {"choices": a.choices} for a in answers]


def segment_view(room: Classroom, now: datetime | None = None) -> dict | None:
    """The agenda's current segment, the time left in it, and the next one."""
    parts = agenda(room)
    if not parts or room.segment >= len(parts):
        return None
    current = parts[room.segment]
    left = None
    if room.segment_started_at is not None:
        ends = room.segment_started_at + timedelta(minutes=current["minutes"])
        left = max(0, int((ends - (now or timezone.now())).total_seconds()))
    following = parts[room.segment + 1] if room.segment + 1 < len(parts) else None
    return {
        "index": room.segment,
        "title": current["title"],
        "minutes": current["minutes"],
        "started_at": room.segment_started_at,
        "seconds_left": left,
        "next": following,
    }


def room_view(room: Classroom, user) -> dict:
    """Everything the classroom page and `GET /classrooms/{id}` show to `user`."""
    from .status import statuses

    who = standing(user, room)
    scheduled = room.scheduled_class
    seats = list(room.seats.filter(removed=False))
    people = [
        {
            "user_id": seat.user_id,
            "mic_muted": is_muted(room, seat),
            "camera_stopped": seat.camera_stopped,
            "group": seat.group if room.breakout_groups else None,
        }
        for seat in seats
    ]
    my_seat = who.seat
    return {
        "id": room.pk,
        "session_id": room.scope.session_id,
        "space_id": room.scope.space_id,
        "scheduled_class_id": room.scheduled_class_id,
        "title": room.title,
        "state": room.state,
        "locked": room.locked,
        "waiting_room": room.waiting_room,
        "chat_locked": room.chat_locked,
        "cameras_locked": room.cameras_locked,
        "self_unmute_forbidden": room.self_unmute_forbidden,
        "presenter_id": room.presenter_id,
        "lobby_opens_at": lobby_opens_at(room),
        "starts_at": scheduled.starts_at if scheduled else None,
        "ends_at": scheduled.ends_at if scheduled else None,
        "topic": room.topic,
        "me": {
            "user_id": user.pk,
            "moderator": who.moderator,
            "manager": who.manager,
            "mic_muted": is_muted(room, my_seat) and not who.moderator,
            "camera_stopped": bool(my_seat and my_seat.camera_stopped),
            "hand_raised": bool(my_seat and my_seat.hand is not None),
            "group": my_seat.group if my_seat and room.breakout_groups else None,
        },
        "hands": hand_queue(room),
        "waiting": waiting_list(room) if who.moderator else [],
        "people": people,
        "agenda": agenda(room),
        "segment": segment_view(room),
        "breakouts": {
            "groups": room.breakout_groups,
            "ends_at": room.breakout_ends_at,
        },
        "status": statuses(room.pk),
        "polls": list(room.polls.order_by("id").values_list("id", flat=True)),
    }


def poll_view_for(poll: QuickPoll, user, moderator: bool) -> dict:
    """A quick poll as `user` sees it: counts for moderators, or for all when public."""
    counts, respondents = poll_counts(poll)
    shown = moderator or poll.results_public
    mine = poll.answers.filter(user=user).values_list("choices", flat=True).first()
    return {
        "poll_id": poll.pk,
        "question": poll.question,
        "choices": poll.choices,
        "multiple": poll.multiple,
        "anonymous": poll.anonymous,
        "results_public": poll.results_public,
        "state": poll.state,
        "counts": counts if shown else None,
        "respondents": respondents if shown else None,
        "my_choices": mine,
        "voters": poll_voters(poll) if moderator else [],
    }
