"""The realtime contract of classrooms: what travels on `classroom:<id>` and `user:<id>`.

Every subscriber of `classroom:<id>` receives the same frames, so nothing on it says more
than a participant may see: live poll results meant for moderators only, and the notice
that someone was admitted from the waiting room, go to each person's own `user:<id>`.
Durable here: chat, the room's settings and state, polls opened and closed, the agenda.
Ephemeral (not stored, refetched with `GET /api/v1/classrooms/{id}` after a reconnect):
people's live state, hands, reactions, breakouts, the waiting list, and the signalling
frames the SFU sends to one socket (`media.offer`, `media.answer`, `media.closed`).
"""

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from realtime.events import Event


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Person(_Data):
    user_id: int
    name: str


class RoomSettings(_Data):
    state: str
    locked: bool
    waiting_room: bool
    chat_locked: bool
    cameras_locked: bool
    self_unmute_forbidden: bool
    presenter_id: int | None


class ChatPosted(Event):
    type: Literal["chat.message"] = "chat.message"
    message_id: int
    author_id: int
    author: str
    body: str
    sent_at: datetime


class ChatDeleted(Event):
    type: Literal["chat.deleted"] = "chat.deleted"
    message_id: int


class RoomUpdated(Event):
    """The room's state or its moderation settings changed (opened, locked, presenter...)."""

    type: Literal["room.updated"] = "room.updated"
    room: RoomSettings


class ParticipantUpdated(Event):
    """What the moderators' rules make of one person now (muted, camera, group)."""

    durable: ClassVar[bool] = False
    type: Literal["participant.updated"] = "participant.updated"
    user_id: int
    mic_muted: bool
    camera_stopped: bool
    group: int | None


class EveryoneMuted(Event):
    durable: ClassVar[bool] = False
    type: Literal["participants.muted"] = "participants.muted"


class ParticipantRemoved(Event):
    durable: ClassVar[bool] = False
    type: Literal["participant.removed"] = "participant.removed"
    user_id: int


class HandsChanged(Event):
    """The whole queue of raised hands, in order."""

    durable: ClassVar[bool] = False
    type: Literal["hands.changed"] = "hands.changed"
    queue: list[Person]


class Reacted(Event):
    durable: ClassVar[bool] = False
    type: Literal["reaction"] = "reaction"
    user_id: int
    emoji: str


class WaitingChanged(Event):
    durable: ClassVar[bool] = False
    type: Literal["waiting.changed"] = "waiting.changed"
    waiting: list[Person]


class Admitted(Event):
    """On the admitted person's own `user:<id>`: the waiting room opens for them."""

    durable: ClassVar[bool] = False
    type: Literal["classroom.admitted"] = "classroom.admitted"
    classroom_id: int


class PollView(_Data):
    poll_id: int
    question: str
    choices: list[str]
    multiple: bool
    anonymous: bool
    results_public: bool
    state: str


class PollOpened(Event):
    type: Literal["quickpoll.opened"] = "quickpoll.opened"
    poll: PollView


class PollResults(Event):
    """Counts per choice: on the topic when public, else on each moderator's `user:<id>`."""

    durable: ClassVar[bool] = False
    type: Literal["quickpoll.results"] = "quickpoll.results"
    classroom_id: int
    poll_id: int
    counts: list[int]
    respondents: int


class PollClosed(Event):
    type: Literal["quickpoll.closed"] = "quickpoll.closed"
    poll_id: int


class BreakoutsChanged(Event):
    """Who is in which breakout room (group numbers from 1), and when everyone returns."""

    durable: ClassVar[bool] = False
    type: Literal["breakouts.changed"] = "breakouts.changed"
    groups: dict[int, int]
    ends_at: datetime | None


class AgendaChanged(Event):
    type: Literal["agenda.changed"] = "agenda.changed"
    segment: int
    started_at: datetime | None


class MediaRestart(Event):
    """The process running the room's media changed: every browser reconnects its media."""

    durable: ClassVar[bool] = False
    type: Literal["media.restart"] = "media.restart"
