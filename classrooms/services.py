"""Every write of the classroom: its life, its moderation, hands, reactions and chat.

Each function asks `parcours.policies` (through `selectors.standing`), writes, and publishes
after commit. A change that concerns the media (mute, camera, removal, breakouts, end) is
also handed to the SFU (`live`), which applies it to the forwarded tracks themselves.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours import policies
from parcours.errors import ErrorCode, ServiceError
from parcours.models import Scope
from parcours.policies import Action
from parcours.signals import access_changed
from realtime import publish

from . import events, live, selectors
from .models import ChatMessage, Classroom, Seat

REACTIONS = ("👍", "👏", "😀", "😮", "❤️", "🙋")
MAX_CHAT_CHARS = 2000


def invalid(field: str, message: str) -> ServiceError:
    return ServiceError(ErrorCode.INVALID, message, {"field": field})


def _require_moderator(actor, room: Classroom) -> selectors.Standing:
    policies.require(actor, Action.CLASSROOM_MODERATE, room.scope)
    return selectors.standing(actor, room)


def _require_running(room: Classroom) -> None:
    if not room.is_running:
        raise ServiceError(ErrorCode.CONFLICT, _("La classe virtuelle n'est pas ouverte."))


def _require_inside(actor, room: Classroom) -> selectors.Standing:
    """A member taking part: not removed, let in, while the class runs."""
    policies.require(actor, Action.CLASSROOM_PARTICIPATE, room.scope)
    room.refresh_from_db()  # the room's flags as they are now, not as the caller read them
    selectors.entry_decision(actor, room).raise_if_denied()
    _require_running(room)
    return selectors.standing(actor, room)


def _seat(room: Classroom, user) -> Seat:
    seat, _created = Seat.objects.get_or_create(classroom=room, user=user)
    return seat


def _target(room: Classroom, user_id: int) -> Seat:
    """The seat of a member of the room's session or space whom a moderator acts on."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or not policies.can(user, Action.CLASSROOM_JOIN, room.scope):
        raise ServiceError(
            ErrorCode.NOT_FOUND,
            _("Cette personne ne fait pas partie de la classe."),
            {"field": "user_id"},
        )
    if user.pk in selectors.moderator_ids(room):
        raise ServiceError(ErrorCode.FORBIDDEN, _("Un animateur ne peut pas en modérer un autre."))
    return _seat(room, user)


def _announce_room(room: Classroom) -> None:
    publish(room.topic, events.RoomUpdated(room=room_settings(room)))


def room_settings(room: Classroom) -> events.RoomSettings:
    return events.RoomSettings(
        state=room.state,
        locked=room.locked,
        waiting_room=room.waiting_room,
        chat_locked=room.chat_locked,
        cameras_locked=room.cameras_locked,
        self_unmute_forbidden=room.self_unmute_forbidden,
        presenter_id=room.presenter_id,
    )


def _announce_person(room: Classroom, seat: Seat) -> None:
    publish(
        room.topic,
        events.ParticipantUpdated(
            user_id=seat.user_id,
            mic_muted=selectors.is_muted(room, seat),
            camera_stopped=seat.camera_stopped,
            group=seat.group if room.breakout_groups else None,
        ),
    )


def _media_changed(room: Classroom) -> None:
    transaction.on_commit(lambda: live.apply_rules(room.pk))


# -- the room's life ----------------------------------------------------------------------


def create_room(*, scope: Scope, actor, title: str) -> Classroom:
    """An ad-hoc room of a session or a space, open at once."""
    policies.require(actor, Action.CLASSROOM_MANAGE, scope)
    title = (title or "").strip()
    if not 0 < len(title) <= 200 or "\x00" in title:
        raise invalid("title", _("Le titre doit compter de 1 à 200 caractères."))
    return Classroom.objects.create(scope=scope, title=title, state=Classroom.State.OPEN)


def room_for_class(scheduled_class) -> Classroom:
    """The room of a scheduled class, created the first time someone asks for it; it belongs
    to the class's scope (a session or a space: their members come in)."""
    room, _created = Classroom.objects.get_or_create(
        scheduled_class=scheduled_class,
        defaults={"scope_id": scheduled_class.scope_id, "title": scheduled_class.title},
    )
    return room


@transaction.atomic
def open_room(*, room: Classroom, actor, now: datetime | None = None) -> Classroom:
    """Open the lobby: members may come in, talk and test their media before the start."""
    policies.require(actor, Action.CLASSROOM_MANAGE, room.scope)
    room = Classroom.objects.select_for_update().get(pk=room.pk)
    if room.state != Classroom.State.SCHEDULED:
        raise ServiceError(ErrorCode.CONFLICT, _("La classe virtuelle est déjà ouverte ou finie."))
    opens = selectors.lobby_opens_at(room)
    if opens is not None and (now or timezone.now()) < opens:
        raise ServiceError(
            ErrorCode.CONFLICT,
            _("L'accueil ouvre 15 minutes avant le début de la classe."),
            {"opens_at": opens.isoformat()},
        )
    room.state = Classroom.State.OPEN
    room.save(update_fields=["state"])
    _announce_room(room)
    return room


@transaction.atomic
def start_class(*, room: Classroom, actor) -> Classroom:
    """From the lobby to the class itself: the agenda's first segment begins."""
    policies.require(actor, Action.CLASSROOM_MANAGE, room.scope)
    room = Classroom.objects.select_for_update().get(pk=room.pk)
    if room.state != Classroom.State.OPEN:
        raise ServiceError(ErrorCode.CONFLICT, _("Ouvrez l'accueil avant de commencer."))
    room.state = Classroom.State.LIVE
    room.segment, room.segment_started_at = 0, timezone.now()
    room.save(update_fields=["state", "segment", "segment_started_at"])
    _announce_room(room)
    publish(
        room.topic, events.AgendaChanged(segment=room.segment, started_at=room.segment_started_at)
    )
    return room


@transaction.atomic
def end_class(*, room: Classroom, actor) -> Classroom:
    """End the class: its media stops and nothing about who came is kept (no seat)."""
    policies.require(actor, Action.CLASSROOM_MANAGE, room.scope)
    room = Classroom.objects.select_for_update().get(pk=room.pk)
    if room.state == Classroom.State.ENDED:
        raise ServiceError(ErrorCode.CONFLICT, _("La classe virtuelle est déjà terminée."))
    room.state = Classroom.State.ENDED
    room.breakout_groups, room.breakout_ends_at = 0, None
    room.save(update_fields=["state", "breakout_groups", "breakout_ends_at"])
    room.seats.all().delete()
    room.polls.update(state="closed")
    _announce_room(room)
    room_id = room.pk
    transaction.on_commit(lambda: live.end(room_id))
    return room


@transaction.atomic
def update_settings(*, room: Classroom, actor, **flags: bool) -> Classroom:
    """Lock the room, the waiting room, chat, cameras, self-unmute (None: unchanged)."""
    _require_moderator(actor, room)
    room = Classroom.objects.select_for_update().get(pk=room.pk)
    names = ("locked", "waiting_room", "chat_locked", "cameras_locked", "self_unmute_forbidden")
    changed = [name for name in names if flags.get(name) is not None]
    for name in changed:
        setattr(room, name, bool(flags[name]))
    room.save(update_fields=changed or None)
    _announce_room(room)
    if "cameras_locked" in changed:
        _media_changed(room)
    return room


@transaction.atomic
def set_presenter(*, room: Classroom, actor, user_id: int | None) -> Classroom:
    """Make someone presenter (their screen is forwarded), or nobody."""
    _require_moderator(actor, room)
    if user_id is not None:
        policies.require(_user(user_id, room), Action.CLASSROOM_JOIN, room.scope)
    Classroom.objects.filter(pk=room.pk).update(presenter_id=user_id)
    room.refresh_from_db()
    _announce_room(room)
    _media_changed(room)
    return room


def _user(user_id: int, room: Classroom):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise ServiceError(ErrorCode.NOT_FOUND, _("Personne introuvable."), {"field": "user_id"})
    return user


# -- moderation on people -----------------------------------------------------------------


@transaction.atomic
def mute(*, room: Classroom, actor, user_id: int) -> None:
    _require_moderator(actor, room)
    seat = _target(room, user_id)
    seat.mic_muted = True
    seat.save(update_fields=["mic_muted"])
    _announce_person(room, seat)
    _media_changed(room)


@transaction.atomic
def mute_everyone(*, room: Classroom, actor) -> None:
    """Mute every participant now and whoever comes later, until each unmutes."""
    _require_moderator(actor, room)
    Classroom.objects.filter(pk=room.pk).update(mute_epoch=F("mute_epoch") + 1)
    room.refresh_from_db(fields=["mute_epoch"])
    publish(room.topic, events.EveryoneMuted())
    _media_changed(room)


@transaction.atomic
def stop_camera(*, room: Classroom, actor, user_id: int) -> None:
    _require_moderator(actor, room)
    seat = _target(room, user_id)
    seat.camera_stopped = True
    seat.save(update_fields=["camera_stopped"])
    _announce_person(room, seat)
    _media_changed(room)


@transaction.atomic
def unmute_self(*, room: Classroom, actor) -> None:
    """A participant turns their microphone back on, unless moderators forbid it."""
    who = _require_inside(actor, room)
    if not who.moderator and room.self_unmute_forbidden:
        raise ServiceError(
            ErrorCode.FORBIDDEN, _("Les animateurs ne permettent pas de réactiver son micro.")
        )
    seat = _seat(room, actor)
    seat.mic_muted, seat.unmuted_at_epoch = False, room.mute_epoch
    seat.save(update_fields=["mic_muted", "unmuted_at_epoch"])
    _announce_person(room, seat)
    _media_changed(room)


@transaction.atomic
def restart_camera(*, room: Classroom, actor) -> None:
    who = _require_inside(actor, room)
    if not who.moderator and room.cameras_locked:
        raise ServiceError(ErrorCode.FORBIDDEN, _("Les caméras sont verrouillées."))
    seat = _seat(room, actor)
    seat.camera_stopped = False
    seat.save(update_fields=["camera_stopped"])
    _announce_person(room, seat)
    _media_changed(room)


@transaction.atomic
def remove(*, room: Classroom, actor, user_id: int) -> None:
    """Take someone out of the class; they cannot come back to it."""
    _require_moderator(actor, room)
    seat = _target(room, user_id)
    seat.removed, seat.waiting, seat.admitted, seat.hand = True, False, False, None
    seat.save(update_fields=["removed", "waiting", "admitted", "hand"])
    publish(room.topic, events.ParticipantRemoved(user_id=user_id))
    room_id, session_id = room.pk, room.scope.session_id

    def after_commit() -> None:
        live.kick(room_id, user_id)
        # The gateway re-asks the topic's authorize for their sockets: they leave it at once.
        access_changed.send(sender=Classroom, session_id=session_id, user_ids=[user_id])

    transaction.on_commit(after_commit)


@transaction.atomic
def knock(*, room: Classroom, actor) -> None:
    """Ask to be let in (waiting room, or a locked room)."""
    policies.require(actor, Action.CLASSROOM_JOIN, room.scope)
    room.refresh_from_db()
    _require_running(room)
    who = selectors.standing(actor, room)
    if who.removed:
        raise ServiceError(ErrorCode.FORBIDDEN, _("Un animateur vous a retiré de cette classe."))
    if who.moderator or who.admitted or not (room.locked or room.waiting_room):
        raise ServiceError(ErrorCode.CONFLICT, _("Vous pouvez entrer sans attendre."))
    seat = _seat(room, actor)
    seat.waiting = True
    seat.save(update_fields=["waiting"])
    publish(room.topic, events.WaitingChanged(waiting=selectors.waiting_list(room)))


@transaction.atomic
def admit(*, room: Classroom, actor, user_id: int) -> None:
    _require_moderator(actor, room)
    seat = _target(room, user_id)
    if seat.removed:
        raise ServiceError(ErrorCode.CONFLICT, _("Cette personne a été retirée de la classe."))
    seat.waiting, seat.admitted = False, True
    seat.save(update_fields=["waiting", "admitted"])
    publish(room.topic, events.WaitingChanged(waiting=selectors.waiting_list(room)))
    publish(f"user:{user_id}", events.Admitted(classroom_id=room.pk))


# -- hands, reactions, chat ---------------------------------------------------------------


@transaction.atomic
def set_hand(*, room: Classroom, actor, raised: bool, user_id: int | None = None) -> None:
    """Raise or lower one's hand; a moderator may lower anyone's."""
    if user_id is not None and user_id != actor.pk:
        if raised:
            raise invalid("raised", _("On ne lève que sa propre main."))
        _require_inside(actor, room)
        _require_moderator(actor, room)
        seat = Seat.objects.filter(classroom=room, user_id=user_id).first()
    else:
        _require_inside(actor, room)
        seat = _seat(room, actor)
    if seat is None or (seat.hand is not None) == raised:
        return
    if raised:
        number = Classroom.objects.filter(pk=room.pk).values_list("next_hand", flat=True).get()
        Classroom.objects.filter(pk=room.pk).update(next_hand=F("next_hand") + 1)
        seat.hand = number
    else:
        seat.hand = None
    seat.save(update_fields=["hand"])
    publish(room.topic, events.HandsChanged(queue=selectors.hand_queue(room)))


def react(*, room: Classroom, actor, emoji: str) -> None:
    _require_inside(actor, room)
    if emoji not in REACTIONS:
        raise invalid("emoji", _("Réaction inconnue."))
    publish(room.topic, events.Reacted(user_id=actor.pk, emoji=emoji))


@transaction.atomic
def post_chat(*, room: Classroom, actor, body: str) -> ChatMessage:
    who = _require_inside(actor, room)
    if room.chat_locked and not who.moderator:
        raise ServiceError(ErrorCode.FORBIDDEN, _("Les animateurs ont fermé le chat."))
    if not isinstance(body, str) or not body.strip():
        raise invalid("body", _("Le message est vide."))
    if len(body) > MAX_CHAT_CHARS or "\x00" in body:
        raise invalid("body", _("Le message est trop long ou contient un caractère nul."))
    message = ChatMessage.objects.create(classroom=room, author=actor, body=body.strip())
    publish(
        room.topic,
        events.ChatPosted(
            message_id=message.pk,
            author_id=actor.pk,
            author=selectors.person(actor)["name"],
            body=message.body,
            sent_at=message.sent_at,
        ),
    )
    return message


@transaction.atomic
def delete_chat(*, message: ChatMessage, actor) -> None:
    room = message.classroom
    _require_moderator(actor, room)
    if message.deleted:
        return
    message.deleted = True
    message.save(update_fields=["deleted"])
    publish(room.topic, events.ChatDeleted(message_id=message.pk))
