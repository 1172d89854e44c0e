"""WebRTC signalling between browser tabs and the SFU, on the room topic's fast tier.

A tab sends, on `classroom:<id>`: `media.join` (no data), then `media.publish`
{sdp, sources} whenever what it sends changes, `media.answer` {sdp} to each offer of the
SFU, `media.leave`; all but `media.join` are addressed `to: "sfu"`. The SFU is a server
peer of the topic named `sfu` (`realtime.peers`), in whichever process hosts the room
(`live.py`); it answers the one socket that asked: `media.offer` {sdp, tracks},
`media.answer` {sdp}, `media.closed` {reason}, `media.error` {code, message}. A socket
that leaves the topic (`connection.left`: tab closed, reloaded, removed) leaves the media.

`media.join` runs here, on the gateway's event loop without the database: it makes sure
the room's media is hosted somewhere, then passes the join on to it. Whether this person
may send at all was decided when their subscription began (`selectors.topic_decision`):
a non-member, a removed person or someone still in the waiting room never gets that far,
so no media flows to or from them. Browsers accept `media.*` frames only `from: "sfu"`.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from realtime import relay
from realtime.events import Event
from realtime.topics import Ephemeral, Sender

from . import live

SFU = "sfu"
# What the SFU peer listens to on the topic.
TO_SFU = {"media.join", "media.publish", "media.answer", "media.leave", "connection.left"}
MAX_SDP_BYTES = 64 * 1024


class _Signal(Event):
    durable: ClassVar[bool] = False


class MediaJoin(_Signal):
    type: Literal["media.join"] = "media.join"


class MediaOffer(_Signal):
    type: Literal["media.offer"] = "media.offer"
    sdp: str
    tracks: dict[str, dict[str, Any]]


class MediaAnswer(_Signal):
    type: Literal["media.answer"] = "media.answer"
    sdp: str


class MediaClosed(_Signal):
    type: Literal["media.closed"] = "media.closed"
    reason: str


class MediaError(_Signal):
    type: Literal["media.error"] = "media.error"
    code: str
    message: str


MESSAGES = {"media.offer": MediaOffer, "media.answer": MediaAnswer, "media.closed": MediaClosed}


async def join(sender: Sender, data: dict | bytes) -> None:
    """Host the room's media if nobody does yet, then hand it this socket's join."""
    await live.ensure_media(sender.object_id)
    await relay(str(sender.topic), MediaJoin(), sender=sender, to=SFU)


EPHEMERAL = {
    "media.join": Ephemeral(handler=join, rate=1.0, burst=5),
    "media.publish": Ephemeral(directed=True, max_bytes=MAX_SDP_BYTES, rate=2.0, burst=10),
    "media.answer": Ephemeral(directed=True, max_bytes=MAX_SDP_BYTES, rate=5.0, burst=20),
    "media.leave": Ephemeral(directed=True, rate=1.0, burst=5),
}
