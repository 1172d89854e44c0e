"""The base of every realtime event.

Each app declares the events it publishes in its own `events.py`, as subclasses with a
`Literal` `type` and their data fields; that file is the app's realtime contract.
"""

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict


class Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Durable events get a per-topic sequence number and are stored for replay; ephemeral
    # ones (typing, presence, signalling, hands) are neither numbered nor stored.
    durable: ClassVar[bool] = True

    type: str

    def data(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude={"type"})


class PresentUser(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    user_id: int
    name: str


class PresenceJoined(Event):
    """Someone opened the topic (their first tab on it)."""

    durable: ClassVar[bool] = False
    type: Literal["presence.join"] = "presence.join"
    user_id: int
    name: str


class PresenceLeft(Event):
    """Someone's last tab on the topic closed, or their server stopped answering."""

    durable: ClassVar[bool] = False
    type: Literal["presence.leave"] = "presence.leave"
    user_id: int


class PresenceState(Event):
    """Who is on the topic now, sent to a socket when it starts watching presence."""

    durable: ClassVar[bool] = False
    type: Literal["presence.state"] = "presence.state"
    users: list[PresentUser]


class PresenceCount(Event):
    """How many people are on the topic now, for a kind that counts its readers without
    naming them: sent when a socket starts watching, then whenever the number changes."""

    durable: ClassVar[bool] = False
    type: Literal["presence.count"] = "presence.count"
    count: int
