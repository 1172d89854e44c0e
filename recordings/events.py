"""The realtime contract of recordings: what everyone in a classroom learns about them.

Published on the room's `classroom:<id>` topic, durable, so that a client reconnecting
after a drop replays them; a page opened later reads the running recording from the
database (`selectors.running_in_room`) and shows the same badge.
"""

from datetime import datetime
from typing import Literal

from realtime.events import Event


class RecordingStarted(Event):
    type: Literal["recording.started"] = "recording.started"
    recording_id: int
    room_id: int
    title: str
    started_at: datetime


class RecordingStopped(Event):
    """The segment is over: `state` says whether it can be watched ("ready") or failed."""

    type: Literal["recording.stopped"] = "recording.stopped"
    recording_id: int
    room_id: int
    state: str
    seconds: float
