"""What messaging publishes, on each participant's own `user:<id>` topic."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from realtime.events import Event


class AttachmentData(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: int
    name: str
    size: int
    url: str


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: int
    name: str


class MessageData(BaseModel):
    """The one shape of a message: what the API returns and what the live event carries."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: int
    session_id: int
    # The session by its own title: a trainer's sessions of one parcours share its name.
    session_title: str
    parcours: str
    sender_id: int
    sender_name: str
    recipient_ids: list[int]
    recipients: list[Person]
    body: str
    reply_to: int | None
    sent_at: datetime
    attachments: list[AttachmentData]


class MessageReceived(Event, MessageData):
    """A direct message, sent to each recipient's topic and to the sender's other tabs."""

    type: Literal["message.received"] = "message.received"


class AttachmentAdded(Event):
    type: Literal["message.attachment_added"] = "message.attachment_added"
    message_id: int
    attachment: AttachmentData
