"""Every write of recordings: segments begun and finished, renamed, kept, deleted, purged.

The recorder host (wherever the classroom's SFU runs) calls `begin_segment`, `keep_alive`
and then `finish_segment` or `fail_segment`; people call the rest through the API. Files
leave storage only after the transaction that forgets them commits, so a rolled-back
delete never loses a file that is still listed.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from classrooms import live
from classrooms import selectors as classroom_selectors
from parcours import policies
from parcours.errors import ErrorCode, ServiceError
from parcours.models import Scope
from parcours.policies import Action
from realtime import publish

from . import events
from .media import repair
from .models import Recording

MAX_TITLE = 200
MAX_RETENTION_DAYS = 3650
# The recorder host renews its claim this often; a claim this old means the host is gone.
HEARTBEAT_SECONDS = 10
ALIVE_SECONDS = 45


def _invalid(message: str, field: str) -> ServiceError:
    return ServiceError(ErrorCode.INVALID, message, {"field": field})


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title or len(title) > MAX_TITLE:
        raise _invalid(gettext("Un titre de 1 à %(n)d caractères.") % {"n": MAX_TITLE}, "title")
    return title


@transaction.atomic
def begin_segment(
    *, actor, scope: Scope, room_id: int, scheduled_class=None, title: str = ""
) -> Recording:
    """Open a new segment of the live class in room `room_id` (of `scope`, a session or a
    space, whose members alone will watch it); everyone in the room is told."""
    policies.require(actor, Action.RECORD_CLASS, scope)
    running = Recording.objects.select_for_update().filter(
        room_id=room_id, state=Recording.State.RECORDING
    )
    if running.exists():
        raise ServiceError(
            ErrorCode.CONFLICT,
            gettext("Un enregistrement est déjà en cours dans cette classe."),
            {"field": "room"},
        )
    now = timezone.now()
    part = Recording.objects.filter(room_id=room_id).count() + 1
    name = scheduled_class.title if scheduled_class is not None else scope.owner.title
    default = gettext("%(name)s, %(day)s, partie %(part)d") % {
        "name": name,
        "day": date_format(timezone.localtime(now), "j F Y"),
        "part": part,
    }
    spool = Path(settings.RECORDINGS_SPOOL) / f"{uuid.uuid4().hex}.webm"
    recording = Recording.objects.create(
        scope=scope,
        scheduled_class=scheduled_class,
        room_id=room_id,
        title=_clean_title(title) if title else default[:MAX_TITLE],
        started_at=now,
        spool_path=str(spool),
        alive_until=now + timedelta(seconds=ALIVE_SECONDS),
    )
    publish(
        f"classroom:{room_id}",
        events.RecordingStarted(
            recording_id=recording.pk, room_id=room_id, title=recording.title, started_at=now
        ),
    )
    return recording


# The sink that `RecordingsConfig.ready` registers with every classroom's SFU.
SINK = "recording"


def start_in_room(*, actor, room_id: int, title: str = "") -> Recording:
    """A moderator starts recording the live class: a new segment, everyone in the room told,
    and the recorder, wherever the room's media runs, told to write it."""
    room = classroom_selectors.get_classroom(room_id)
    policies.require(actor, Action.RECORD_CLASS, room.scope)
    if room.state != room.State.LIVE:
        raise ServiceError(
            ErrorCode.CONFLICT,
            gettext("On n'enregistre qu'une classe en cours."),
            {"field": "classroom"},
        )
    # A segment whose recorder died (its worker crashed) is settled before a new one begins.
    recover_interrupted(room_id=room.pk)
    # The command below must find the room's media running, even before anyone joined it.
    live.host_media(room.pk)
    with transaction.atomic():
        recording = begin_segment(
            actor=actor,
            scope=room.scope,
            room_id=room.pk,
            scheduled_class=room.scheduled_class,
            title=title,
        )
        command = {"action": "start", "recording_id": recording.pk, "spool": recording.spool_path}
        transaction.on_commit(lambda: live.send_to_sink(room.pk, SINK, command))
    return recording


def stop_in_room(*, actor, recording: Recording) -> Recording:
    """A moderator stops the segment; its recorder finishes the file and announces it."""
    check_may_stop(actor=actor, recording=recording)
    if recording.alive_until is not None and recording.alive_until < timezone.now():
        # Its recorder's host died (a crashed worker): nobody will answer a command.
        return fail_segment(recording=recording, reason=_host_gone())
    if recording.room_id is not None:
        live.send_to_sink(recording.room_id, SINK, {"action": "stop", "recording_id": recording.pk})
    return recording


def check_may_stop(*, actor, recording: Recording) -> None:
    """A moderator stops the room's running segment (the recorder host then finishes it)."""
    policies.require(actor, Action.RECORD_CLASS, recording.scope)
    if recording.state != Recording.State.RECORDING:
        raise ServiceError(
            ErrorCode.CONFLICT,
            gettext("Cet enregistrement est déjà terminé."),
            {"field": "recording"},
        )


def keep_alive(*, recording_id: int) -> None:
    Recording.objects.filter(pk=recording_id, state=Recording.State.RECORDING).update(
        alive_until=timezone.now() + timedelta(seconds=ALIVE_SECONDS)
    )


def finish_segment(*, recording: Recording, seconds: float) -> Recording:
    """The recorder closed its file: store it and make it watchable."""
    spool = Path(recording.spool_path)
    try:
        _settle(recording, Recording.State.READY, seconds=seconds, path=spool)
    finally:
        with contextlib.suppress(OSError):
            spool.unlink()
    return recording


def fail_segment(*, recording: Recording, reason: str) -> Recording:
    """The recorder failed or its host died: keep whatever plays, else say it failed."""
    spool = Path(recording.spool_path)
    repaired = spool.with_name(f"{spool.stem}-repaired.webm")
    try:
        found = repair.salvage(spool, repaired) if spool.is_file() else None
        if found is not None:
            note = gettext("Enregistrement interrompu (%(reason)s) : la partie lisible est gardée.")
            note %= {"reason": reason}
            _settle(
                recording, Recording.State.READY, seconds=found.seconds, path=repaired, note=note
            )
        else:
            _settle(recording, Recording.State.FAILED, note=reason)
    finally:
        for path in (spool, repaired):
            with contextlib.suppress(OSError):
                path.unlink()
    return recording


def _settle(
    recording: Recording, state: str, *, seconds: float = 0.0, path: Path | None = None, note=""
) -> None:
    """End the segment in `state`, storing the file at `path`, and tell the room."""
    if path is not None:
        with path.open("rb") as handle:
            recording.file.save("segment.webm", File(handle), save=False)
        recording.size = recording.file.size
    recording.state, recording.seconds, recording.note = state, round(seconds, 3), note[:300]
    recording.spool_path, recording.alive_until = "", None
    with transaction.atomic():
        recording.save()
        _announce_stop(recording)


def _announce_stop(recording: Recording) -> None:
    if recording.room_id is not None:
        publish(
            f"classroom:{recording.room_id}",
            events.RecordingStopped(
                recording_id=recording.pk,
                room_id=recording.room_id,
                state=recording.state,
                seconds=recording.seconds,
            ),
        )


def finish_segment_by_id(*, recording_id: int, seconds: float) -> Recording | None:
    """`finish_segment` for the recorder host, which holds an id, not a row."""
    recording = Recording.objects.filter(pk=recording_id, state=Recording.State.RECORDING).first()
    return finish_segment(recording=recording, seconds=seconds) if recording else None


def fail_segment_by_id(*, recording_id: int, reason: str) -> Recording | None:
    recording = Recording.objects.filter(pk=recording_id, state=Recording.State.RECORDING).first()
    return fail_segment(recording=recording, reason=reason) if recording else None


def _host_gone() -> str:
    return gettext("le serveur d'enregistrement s'est arrêté")


def recover_interrupted(*, now=None, room_id: int | None = None) -> list[Recording]:
    """Segments whose host stopped vouching for them: salvaged, or marked failed."""
    stale = Recording.objects.filter(
        state=Recording.State.RECORDING, alive_until__lt=now or timezone.now()
    )
    if room_id is not None:
        stale = stale.filter(room_id=room_id)
    return [fail_segment(recording=recording, reason=_host_gone()) for recording in stale]


def _require_manager(actor, recording: Recording) -> None:
    policies.require(actor, Action.MANAGE_RECORDINGS, recording.scope)


@transaction.atomic
def rename(*, actor, recording: Recording, title: str) -> Recording:
    _require_manager(actor, recording)
    recording.title = _clean_title(title)
    recording.save(update_fields=["title"])
    return recording


@transaction.atomic
def set_retention(*, actor, recording: Recording, days: int | None) -> Recording:
    """Keep the recording `days` days after the class (None: until a trainer deletes it)."""
    _require_manager(actor, recording)
    if days is not None and not 1 <= days <= MAX_RETENTION_DAYS:
        raise _invalid(
            gettext("Une durée de conservation de 1 à %(n)d jours.") % {"n": MAX_RETENTION_DAYS},
            "retention_days",
        )
    recorded_on = timezone.localtime(recording.started_at).date()
    recording.expires_on = None if days is None else recorded_on + timedelta(days=days)
    recording.save(update_fields=["expires_on"])
    return recording


@transaction.atomic
def delete(*, actor, recording: Recording) -> None:
    """Forget the recording and remove its file from storage once that is committed."""
    _require_manager(actor, recording)
    if recording.state == Recording.State.RECORDING:
        raise ServiceError(
            ErrorCode.CONFLICT,
            gettext("Arrêtez l'enregistrement avant de le supprimer."),
            {"field": "recording"},
        )
    _forget(recording)


def _forget(recording: Recording) -> None:
    name, storage = recording.file.name, recording.file.storage
    recording.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def purge_expired(*, today: date | None = None) -> int:
    """Delete every recording whose retention period is over; how many were deleted."""
    expired = Recording.objects.filter(expires_on__lt=today or timezone.localdate()).exclude(
        state=Recording.State.RECORDING
    )
    count = 0
    for recording in expired:
        _forget(recording)
        count += 1
    return count


def not_playable(recording: Recording) -> ServiceError:
    return ServiceError(
        ErrorCode.CONFLICT,
        gettext("Cet enregistrement ne peut pas être lu (%(state)s).")
        % {"state": recording.get_state_display()},
        {"field": "recording", "state": recording.state},
    )
