"""The realtime contract of scheduling: what travels on `poll:<id>` and `user:<id>`.

While a poll hides its results, `poll:<id>` carries only `poll.seats` (how many seats each
limited slot has left): every subscriber receives the same frames, so nothing on the topic
may say more than a participant is allowed to see.
"""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from realtime.events import Event


class SlotCounts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    slot_id: int
    yes: int
    maybe: int
    no: int
    seats_left: int | None


class SlotSeats(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    slot_id: int
    seats_left: int


class PollAnswerCounts(Event):
    type: Literal["poll.answer_counts"] = "poll.answer_counts"
    poll_id: int
    respondents: int
    slots: list[SlotCounts]


class PollSeats(Event):
    type: Literal["poll.seats"] = "poll.seats"
    poll_id: int
    respondents: int
    slots: list[SlotSeats]


class PollClosed(Event):
    type: Literal["poll.closed"] = "poll.closed"
    poll_id: int
    slot_id: int
    class_id: int


class PollOpened(Event):
    """Sent to every member of the session on their own `user:<id>` topic: a new poll to
    answer (the bell, and the session page's classes card)."""

    type: Literal["poll.opened"] = "poll.opened"
    poll_id: int
    session_id: int
    title: str
    url: str


class ClassScheduled(Event):
    """Sent to every member of the session or space on their own `user:<id>` topic."""

    type: Literal["class.scheduled"] = "class.scheduled"
    class_id: int
    session_id: int | None
    space_id: int | None = None
    title: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    ics_url: str
