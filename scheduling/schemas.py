"""Request and response shapes of the scheduling API."""

from datetime import date, datetime, time
from typing import Literal

from ninja import Field, Schema
from pydantic import AwareDatetime, field_validator

from parcours.inputs import Id

Choice = Literal["yes", "maybe", "no"]


class SlotIn(Schema):
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    seat_limit: int | None = Field(None, ge=1, le=10_000)


class PollIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    slots: list[SlotIn] = Field(..., min_length=1, max_length=30)
    hide_results: bool = False
    closes_at: AwareDatetime | None = None
    # Whether the export of the answers names people; said now, told to those who answer.
    nominative: bool = False


class AnswerIn(Schema):
    # slot id -> "yes" | "maybe" | "no"
    choices: dict[Id, Choice] = Field(..., min_length=1, max_length=30)
    comment: str | None = Field(None, max_length=2000)


class CloseIn(Schema):
    slot_id: Id | None = None


class SlotOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    local_start: str
    local_end: str
    viewer_start: str | None
    seat_limit: int | None
    seats_left: int | None
    yes: int | None
    maybe: int | None
    no: int | None
    chosen: bool


class BallotOut(Schema):
    name: str
    comment: str
    choices: dict[Id, Choice]


class PollOut(Schema):
    id: int
    session_id: int
    title: str
    description: str
    timezone: str
    viewer_timezone: str | None
    state: Literal["open", "closed"]
    accepts_answers: bool
    hide_results: bool
    nominative: bool
    results_visible: bool
    closes_at: datetime | None
    respondents: int
    suggested_slot_id: int | None
    class_id: int | None
    slots: list[SlotOut]
    my_choices: dict[int, Choice]
    my_comment: str
    # Who answered what: only for a nominative poll, once its results are visible.
    ballots: list[BallotOut] | None
    # An anonymous poll's comments, without names (sorted), once its results are visible.
    comments: list[str] | None
    # Heads of the topics this state depends on: subscribe with `since` from them.
    topics: dict[str, int] = {}


class ClassOut(Schema):
    id: int
    session_id: int | None
    space_id: int | None
    series_id: int | None
    title: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    local_start: str
    agenda: list[dict]
    state: str


class AgendaPart(Schema):
    title: str = Field(..., min_length=1, max_length=120)
    minutes: int = Field(..., ge=1, le=240)


class SeriesIn(Schema):
    # Exactly one of the two: the session or the space the meetups belong to.
    session_id: Id | None = None
    space_id: Id | None = None
    title: str = Field("Entre pairs", min_length=1, max_length=200)
    first_day: date
    until: date
    start_time: time = time(15, 30)
    minutes: int = Field(30, ge=15, le=240)
    interval_weeks: int = Field(2, ge=1, le=8)
    agenda: list[AgendaPart] | None = Field(None, max_length=20)

    @field_validator("start_time")
    @classmethod
    def _local_time(cls, value: time) -> time:
        # The hour is read on the academy's clock; an offset ("15:30+02:00") has no meaning
        # there and would fail when combined with the dates.
        if value.tzinfo is not None:
            raise ValueError("heure locale attendue, sans décalage horaire")
        return value


class SkippedOut(Schema):
    day: date
    reasons: list[str]


class SeriesOut(Schema):
    id: int
    title: str
    feed_url: str
    classes: list[ClassOut]
    skipped: list[SkippedOut]


class FreeSlotsQuery(Schema):
    from_: date = Field(..., alias="from")
    to: date
    minutes: int = Field(60, ge=15, le=480)

    @field_validator("to")
    @classmethod
    def _short_range(cls, value: date, info) -> date:
        first = info.data.get("from_")
        if first is not None and not 0 <= (value - first).days <= 62:
            raise ValueError("la période doit commencer avant sa fin et durer au plus 62 jours")
        return value


class FreeSlotOut(Schema):
    starts_at: str
    ends_at: str
