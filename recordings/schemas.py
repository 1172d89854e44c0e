from datetime import date, datetime

from ninja import Schema
from pydantic import ConfigDict, Field


class RecordingOut(Schema):
    id: int
    # The session or the space it belongs to (one of them is null).
    session_id: int | None
    space_id: int | None
    room_id: int | None
    class_id: int | None
    class_title: str | None
    series_id: int | None
    title: str
    state: str
    state_label: str
    note: str
    started_at: datetime
    seconds: float
    size: int
    content_type: str
    expires_on: date | None
    # Works only for the person it was made for, until `playback_expires_at`.
    playback_url: str | None
    playback_expires_at: datetime | None
    can_manage: bool


class RecordingPatch(Schema):
    """Rename, and/or set the retention period (null: keep until a trainer deletes it)."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, max_length=200)
    retention_days: int | None = Field(default=None, ge=1, le=3650)


class SeriesRecordingsOut(Schema):
    series_id: int
    title: str
    # The session or the space the series belongs to (one of them is null).
    session_id: int | None
    space_id: int | None
    first_day: date
    until: date
    recordings: list[RecordingOut]


class ClassroomRecordingsOut(Schema):
    classroom_id: int
    # May this viewer start and stop recording in the room (its moderators)?
    can_record: bool
    recordings: list[RecordingOut]
