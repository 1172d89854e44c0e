"""Request and response shapes of the classrooms API."""

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import StrictBool, StrictInt

from parcours.inputs import Id


class RoomIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)


class SettingsIn(Schema):
    locked: StrictBool | None = None
    waiting_room: StrictBool | None = None
    chat_locked: StrictBool | None = None
    cameras_locked: StrictBool | None = None
    self_unmute_forbidden: StrictBool | None = None


class PresenterIn(Schema):
    user_id: Id | None = None


class HandIn(Schema):
    raised: StrictBool


class ReactionIn(Schema):
    emoji: str = Field(..., max_length=8)


class ChatIn(Schema):
    body: str = Field(..., min_length=1, max_length=2000)


class PollIn(Schema):
    question: str = Field(..., min_length=1, max_length=300)
    choices: list[str] = Field(..., min_length=2, max_length=10)
    multiple: StrictBool = False
    anonymous: StrictBool = True
    results_public: StrictBool = False


class PollAnswerIn(Schema):
    choices: list[StrictInt] = Field(..., min_length=1, max_length=10)


class BreakoutIn(Schema):
    minutes: StrictInt = Field(..., ge=1, le=120)
    groups: list[list[Id]] | None = Field(None, min_length=2, max_length=20)
    count: StrictInt | None = Field(None, ge=2, le=20)
    participants: list[Id] | None = Field(None, max_length=500)


class VisitIn(Schema):
    group: StrictInt | None = Field(None, ge=1, le=20)


class PersonOut(Schema):
    user_id: int
    name: str


class ChatOut(Schema):
    message_id: int
    author_id: int
    author: str
    body: str
    sent_at: datetime


class PollOut(Schema):
    poll_id: int
    question: str
    choices: list[str]
    multiple: bool
    anonymous: bool
    results_public: bool
    state: str
    counts: list[int] | None
    respondents: int | None
    my_choices: list[int] | None
    voters: list[dict[str, Any]]


class RoomOut(Schema):
    id: int
    # The session or the space the room belongs to (one of them is null).
    session_id: int | None
    space_id: int | None
    scheduled_class_id: int | None
    title: str
    state: str
    locked: bool
    waiting_room: bool
    chat_locked: bool
    cameras_locked: bool
    self_unmute_forbidden: bool
    presenter_id: int | None
    lobby_opens_at: datetime | None
    starts_at: datetime | None
    ends_at: datetime | None
    topic: str
    me: dict[str, Any]
    hands: list[PersonOut]
    waiting: list[PersonOut]
    people: list[dict[str, Any]]
    agenda: list[dict[str, Any]]
    segment: dict[str, Any] | None
    breakouts: dict[str, Any]
    status: dict[str, Any]
    polls: list[int]
    # Heads of the topics this state depends on: subscribe with `since` from them.
    topics: dict[str, int] = {}
