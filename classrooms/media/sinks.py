"""The hook through which another app consumes a classroom's media (recordings).

Imports point `recordings` → `classrooms`, never back: the SFU cannot call a recorder, so a
recorder registers itself here, from its `AppConfig.ready()`:

    from classrooms.media.sinks import register_sink

    register_sink("recording", Recorder)   # Recorder(room_id) -> RoomSink

Every `MediaRoom` (one per classroom, in whichever process runs its SFU: the server with
the embedded default, a `classroom_worker` process with Redis) builds one sink per
registered name when it starts, and then tells it about every incoming track. See
`classrooms/media/README.md` for the whole contract.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from aiortc import MediaStreamTrack


@dataclass(frozen=True)
class TrackInfo:
    """One incoming track of the room, as a sink sees it.

    `encoded()` gives a new track of the publisher's encoded frames (`EncodedPacket`: VP8 or
    Opus bytes, `pts`, `time_base`, `keyframe`), starting at a keyframe: muxing them costs
    no decode. `decoded()` gives a new track of decoded `av` frames (the source starts
    decoding for it). Both follow the moderator's rules: a muted microphone or a stopped
    camera yields nothing. Stop a track you no longer read.
    """

    room_id: int
    user_id: int
    peer: str
    source: str  # "mic", "camera" or "screen"
    kind: str  # "audio" or "video"
    encoded: Callable[[], MediaStreamTrack]
    decoded: Callable[[], MediaStreamTrack]


class RoomSink(Protocol):
    """What a registered factory returns for one room (or None to stay out of it)."""

    def track_added(self, track: TrackInfo) -> None:
        """A participant started sending `track` (called on the SFU's event loop)."""

    def track_removed(self, track: TrackInfo) -> None:
        """That track ended (the participant stopped it, left, or was removed)."""

    def command(self, data: dict[str, Any]) -> None:
        """A command sent with `classrooms.media.control.send_to_sink` (start, stop...)."""

    async def close(self) -> None:
        """The room's media ends (class ended, last person left, process stopping):
        finish what you write. Called once, before the room's connections close."""


SinkFactory = Callable[[int], "RoomSink | None"]

_factories: dict[str, SinkFactory] = {}


def register_sink(name: str, factory: SinkFactory) -> None:
    """Have every classroom's SFU feed `factory(room_id)`'s sink from now on."""
    if name in _factories and _factories[name] is not factory:
        raise ValueError(f"a media sink named {name!r} is already registered")
    _factories[name] = factory


def unregister_sink(name: str) -> None:
    _factories.pop(name, None)


def build_sinks(room_id: int) -> dict[str, RoomSink]:
    sinks = {}
    for name, factory in _factories.items():
        sink = factory(room_id)
        if sink is not None:
            sinks[name] = sink
    return sinks
