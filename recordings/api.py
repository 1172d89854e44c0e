"""Recordings over HTTP: lists, one recording, trainers' changes, member-only playback."""

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from parcours import policies
from parcours import selectors as parcours_selectors
from parcours.inputs import Id, QueryText
from parcours.policies import Action

from . import playback, selectors, services
from .schemas import ClassroomRecordingsOut, RecordingOut, RecordingPatch, SeriesRecordingsOut

router = Router()


class MediaQuery(Schema):
    t: QueryText = ""


def _views(recordings: list, request: HttpRequest, scope) -> list[dict]:
    can_manage = policies.can(request.user, Action.MANAGE_RECORDINGS, scope)
    return [selectors.recording_view(r, request.user, can_manage=can_manage) for r in recordings]


def _scope_recordings(request: HttpRequest, scope) -> list[dict]:
    policies.require(request.user, Action.WATCH_RECORDINGS, scope)
    return _views(selectors.scope_recordings(scope), request, scope)


@router.get("/sessions/{session_id}/recordings", response=list[RecordingOut])
def session_recordings(request: HttpRequest, session_id: Id):
    return _scope_recordings(request, parcours_selectors.get_session_scope(session_id))


@router.get("/spaces/{space_id}/recordings", response=list[RecordingOut])
def space_recordings(request: HttpRequest, space_id: Id):
    return _scope_recordings(request, parcours_selectors.get_space_scope(space_id))


@router.get("/series/{series_id}/recordings", response=SeriesRecordingsOut)
def series_recordings(request: HttpRequest, series_id: Id):
    series = selectors.get_series(series_id)
    policies.require(request.user, Action.WATCH_RECORDINGS, series.scope)
    return {
        "series_id": series.pk,
        "title": series.title,
        "session_id": series.scope.session_id,
        "space_id": series.scope.space_id,
        "first_day": series.first_day,
        "until": series.until,
        "recordings": _views(selectors.series_recordings(series), request, series.scope),
    }


@router.get("/classrooms/{classroom_id}/recordings", response=ClassroomRecordingsOut)
def classroom_recordings(request: HttpRequest, classroom_id: Id):
    """The room's recordings, to members, and whether this viewer may record there."""
    room = selectors.get_classroom(classroom_id)
    policies.require(request.user, Action.WATCH_RECORDINGS, room.scope)
    return {
        "classroom_id": room.pk,
        "can_record": policies.can(request.user, Action.RECORD_CLASS, room.scope),
        "recordings": _views(selectors.room_recordings(room.pk), request, room.scope),
    }


@router.post("/classrooms/{classroom_id}/recordings", response={201: RecordingOut})
def start_recording(request: HttpRequest, classroom_id: Id):
    recording = services.start_in_room(actor=request.user, room_id=classroom_id)
    return Status(201, selectors.recording_view(recording, request.user))


@router.post("/recordings/{recording_id}/stop", response={202: RecordingOut})
def stop_recording(request: HttpRequest, recording_id: Id):
    """Accepted: the recorder finishes the file, then `recording.stopped` is announced."""
    recording = services.stop_in_room(
        actor=request.user, recording=selectors.get_recording(recording_id)
    )
    return Status(202, selectors.recording_view(recording, request.user))


@router.get("/recordings/{recording_id}", response=RecordingOut)
def recording_detail(request: HttpRequest, recording_id: Id):
    recording = selectors.watchable_recording(recording_id, request.user)
    return selectors.recording_view(recording, request.user)


@router.patch("/recordings/{recording_id}", response=RecordingOut)
def change_recording(request: HttpRequest, recording_id: Id, payload: RecordingPatch):
    recording = selectors.get_recording(recording_id)
    given = payload.model_fields_set
    with transaction.atomic():
        if "title" in given:
            services.rename(actor=request.user, recording=recording, title=payload.title or "")
        if "retention_days" in given:
            services.set_retention(
                actor=request.user, recording=recording, days=payload.retention_days
            )
        if not given:
            services.rename(actor=request.user, recording=recording, title=recording.title)
    return selectors.recording_view(recording, request.user)


@router.delete("/recordings/{recording_id}", response={204: None})
def delete_recording(request: HttpRequest, recording_id: Id):
    recording = selectors.get_recording(recording_id)
    services.delete(actor=request.user, recording=recording)
    return Status(204, None)


@router.get("/recordings/{recording_id}/media", url_name="recording_media")
def recording_media(request: HttpRequest, recording_id: Id, query: Query[MediaQuery]):
    """The file, by ranges, to the member the link was made for, while they may watch."""
    playback.check_link(query.t, recording_id, request.user)
    recording = selectors.watchable_recording(recording_id, request.user)
    if recording.state != recording.State.READY or not recording.file:
        raise services.not_playable(recording)
    return playback.media_response(recording, request.headers.get("Range"))
