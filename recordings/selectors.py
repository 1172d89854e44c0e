"""Reads of recordings, and what a viewer is shown of one."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from classrooms import selectors as classroom_selectors
from parcours import policies
from parcours import selectors as parcours_selectors
from parcours.errors import not_found
from parcours.models import Scope
from parcours.policies import Action
from scheduling import selectors as scheduling_selectors

from . import playback
from .models import Recording


def _live(today=None) -> QuerySet[Recording]:
    """Recordings not past their retention period (the purge may not have run yet)."""
    today = today or timezone.localdate()
    return Recording.objects.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))


def get_recording(recording_id: int) -> Recording:
    recording = (
        _live()
        .select_related(*parcours_selectors.scope_joins(), "scheduled_class")
        .filter(pk=recording_id)
        .first()
    )
    if recording is None:
        raise not_found("enregistrement", recording_id)
    return recording


def watchable_recording(recording_id: int, user) -> Recording:
    """The recording, if `user` may watch it now (members only, see `policies`)."""
    recording = get_recording(recording_id)
    policies.require(user, Action.WATCH_RECORDINGS, recording.scope)
    return recording


def scope_recordings(scope: Scope) -> list[Recording]:
    return list(_live().filter(scope=scope).select_related("scheduled_class"))


def room_recordings(room_id: int) -> list[Recording]:
    return list(_live().filter(room_id=room_id).select_related("scheduled_class"))


def running_in_room(room_id: int) -> Recording | None:
    """The segment being recorded in the room now: late joiners see its badge too."""
    return Recording.objects.filter(room_id=room_id, state=Recording.State.RECORDING).first()


def room_status(room_id: int) -> dict | None:
    """What everyone in the classroom is shown while it records (`classrooms.status`)."""
    running = running_in_room(room_id)
    if running is None or (running.alive_until and running.alive_until < timezone.now()):
        return None  # nothing, or a segment whose recorder stopped vouching for it
    return {
        "recording_id": running.pk,
        "title": running.title,
        "started_at": running.started_at.isoformat(),
    }


def get_classroom(classroom_id: int):
    return classroom_selectors.get_classroom(classroom_id)


def get_series(series_id: int):
    return scheduling_selectors.get_series(series_id)


def series_recordings(series) -> list[Recording]:
    """Every recording of a meetup series' classes, oldest class first, parts in order."""
    return list(
        _live()
        .filter(scheduled_class__series=series)
        .select_related("scheduled_class")
        .order_by("scheduled_class__starts_at", "started_at", "id")
    )


def recording_view(recording: Recording, user, *, can_manage: bool | None = None) -> dict:
    """A recording as its viewer is shown it: a playback link only when it can be played."""
    url, expires = (None, None)
    if recording.state == Recording.State.READY and recording.file:
        url, expires = playback.playback_link(recording, user)
    if can_manage is None:
        can_manage = policies.can(user, Action.MANAGE_RECORDINGS, recording.scope)
    scheduled = recording.scheduled_class
    return {
        "id": recording.pk,
        "session_id": recording.scope.session_id,
        "space_id": recording.scope.space_id,
        "room_id": recording.room_id,
        "class_id": recording.scheduled_class_id,
        "class_title": scheduled.title if scheduled else None,
        "series_id": scheduled.series_id if scheduled else None,
        "title": recording.title,
        "state": recording.state,
        "state_label": recording.get_state_display(),
        "note": recording.note,
        "started_at": recording.started_at,
        "seconds": recording.seconds,
        "size": recording.size,
        "content_type": recording.content_type,
        "expires_on": recording.expires_on,
        "playback_url": url,
        "playback_expires_at": expires,
        "can_manage": can_manage,
    }
