"""aiortc client peers with synthetic media, as a browser would join a classroom.

Each client sends a video of its own size and brightness (and, for the benchmark, a frame
number drawn in the picture) and a pure tone, and keeps what it receives per track: decoded
sizes, brightness, the tone's loudness, whether the track ended. Signalling is pluggable:
straight to a `MediaRoom` in this process (`DirectSignalling`), or through the realtime
gateway like a browser (`tests/classrooms/gateway_peers.py`). Used by the tests, the
benchmark and the recordings tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from aiortc import (
    MediaStreamTrack,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame, VideoFrame

from classrooms.media.forwarding import Source, tap
from classrooms.media.network import ice_configuration

# The frame number drawn in the top row of the picture: STAMP_BITS blocks, white for 1.
STAMP_BITS = 16
SAMPLE_RATE = 48_000


class PatternVideoTrack(VideoStreamTrack):
    """A 30 fps picture of one brightness, optionally with its frame number drawn in."""

    def __init__(self, width: int, height: int, luma: int, *, stamp: bool = False) -> None:
        super().__init__()
        self.width, self.height, self.stamp = width, height, stamp
        self.luma = np.full((height, width), luma, dtype=np.uint8)
        self.chroma = np.full((height // 2, width // 2), 128, dtype=np.uint8).tobytes()
        self.count = 0
        # Frame number -> when it was produced (the benchmark's end-to-end delay).
        self.sent_at: dict[int, float] = {}

    async def recv(self) -> VideoFrame:
        pts, time_base = await self.next_timestamp()
        number = self.count
        self.count += 1
        luma = self.luma
        if self.stamp:
            luma = luma.copy()
            block = self.width // STAMP_BITS
            for bit in range(STAMP_BITS):
                value = 255 if number >> bit & 1 else 0
                luma[: block // 2 * 2, bit * block : (bit + 1) * block] = value
        frame = VideoFrame(self.width, self.height, "yuv420p")
        frame.planes[0].update(_plane(luma, frame.planes[0].line_size))
        frame.planes[1].update(_padded(self.chroma, self.width // 2, frame.planes[1]))
        frame.planes[2].update(_padded(self.chroma, self.width // 2, frame.planes[2]))
        frame.pts, frame.time_base = pts, time_base
        self.sent_at[number] = time.monotonic()
        return frame


def _plane(array: np.ndarray, line_size: int) -> bytes:
    if line_size == array.shape[1]:
        return array.tobytes()
    padded = np.zeros((array.shape[0], line_size), dtype=np.uint8)
    padded[:, : array.shape[1]] = array
    return padded.tobytes()


def _padded(data: bytes, width: int, plane) -> bytes:
    rows = len(data) // width
    return _plane(np.frombuffer(data, dtype=np.uint8).reshape(rows, width), plane.line_size)


def read_stamp(frame: VideoFrame) -> int:
    """The frame number `PatternVideoTrack(stamp=True)` drew in `frame`."""
    luma = frame.to_ndarray(format="gray")
    block = frame.width // STAMP_BITS
    row = luma[block // 4 : block // 2]
    number = 0
    for bit in range(STAMP_BITS):
        if row[:, bit * block + block // 4 : (bit + 1) * block - block // 4].mean() > 128:
            number |= 1 << bit
    return number


class ToneTrack(MediaStreamTrack):
    """A sine tone in 20 ms frames, paced in real time like a microphone."""

    kind = "audio"

    def __init__(self, frequency: float = 440.0, amplitude: float = 0.5) -> None:
        super().__init__()
        self.samples = int(SAMPLE_RATE * 0.02)
        t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
        # One second of tone, so that consecutive frames join without a click.
        self.wave = (np.sin(2 * math.pi * frequency * t) * amplitude * 32767).astype(np.int16)
        self.position = 0
        self.start: float | None = None

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self.start is None:
            self.start = time.monotonic()
        else:
            due = self.start + self.position / SAMPLE_RATE
            await asyncio.sleep(max(0.0, due - time.monotonic()))
        index = np.arange(self.position, self.position + self.samples) % SAMPLE_RATE
        frame = AudioFrame.from_ndarray(
            self.wave[index].reshape(1, -1), format="s16", layout="mono"
        )
        frame.sample_rate = SAMPLE_RATE
        frame.pts = self.position
        frame.time_base = fractions.Fraction(1, SAMPLE_RATE)
        self.position += self.samples
        return frame


@dataclass
class Received:
    """What one incoming track delivered."""

    kind: str
    frames: int = 0
    sizes: set[tuple[int, int]] = field(default_factory=set)
    luma: float | None = None
    loudness: float = 0.0
    ended: bool = False
    stamps: list[tuple[int, float]] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)
    counter: Source | None = None

    def since(self, moment: float) -> int:
        return sum(1 for at in self.arrivals if at >= moment)


class Signalling(Protocol):
    async def join(self, on_message: Callable[[dict], Awaitable[None]]) -> None: ...
    async def publish(self, sdp: str, sources: dict[str, str]) -> str: ...
    async def answer(self, sdp: str) -> None: ...
    async def leave(self) -> None: ...


class DirectSignalling:
    """Signalling straight to a `MediaRoom` of this process, as the SFU's glue would."""

    def __init__(self, room, key: str, user_id: int) -> None:
        self.room, self.key, self.user_id = room, key, user_id

    async def join(self, on_message: Callable[[dict], Awaitable[None]]) -> None:
        DIRECT_ROUTES[(id(self.room), self.key)] = on_message
        await self.room.join(self.key, self.user_id)

    async def publish(self, sdp: str, sources: dict[str, str]) -> str:
        return await self.room.publish(self.key, sdp, sources)

    async def answer(self, sdp: str) -> None:
        await self.room.answer(self.key, sdp)

    async def leave(self) -> None:
        await self.room.leave(self.key)


DIRECT_ROUTES: dict[tuple[int, str], Callable[[dict], Awaitable[None]]] = {}


def direct_send(room_ref: Callable[[], Any]) -> Callable[[str, dict], Awaitable[None]]:
    """The `send` of a `MediaRoom` whose peers are `DirectSignalling` clients."""

    async def send(key: str, message: dict) -> None:
        route = DIRECT_ROUTES.get((id(room_ref()), key))
        if route is not None:
            asyncio.get_running_loop().create_task(route(message))

    return send


class ClientPeer:
    """One participant's tab: a publish and a subscribe connection to the SFU."""

    def __init__(
        self,
        signalling: Signalling,
        *,
        video: tuple[int, int, int] | None = None,
        tone: float | None = None,
        stamp: bool = False,
        decode: bool = True,
    ) -> None:
        self.signalling = signalling
        self.media = (video, tone, stamp)
        self.decode = decode
        self.closed_by_server: str | None = None
        self.offers = 0
        self._readers: list[asyncio.Task] = []
        self._connect()

    def _connect(self) -> None:
        """Fresh connections and synthetic tracks (aiortc stops a track with its sender)."""
        video, tone, stamp = self.media
        # No STUN server (no outside network) and max-bundle (see `ice_configuration`).
        config = ice_configuration([])
        self.publisher = RTCPeerConnection(config)
        self.subscriber = RTCPeerConnection(config)
        self.video = PatternVideoTrack(*video, stamp=stamp) if video else None
        self.tone = ToneTrack(tone) if tone else None
        self.tracks: dict[str, dict[str, Any]] = {}
        self.received: dict[str, Received] = {}
        self.labelled: list[tuple[str, Any]] = []
        self.subscriber.on("track", self._on_track)

    async def rejoin(self) -> None:
        """Join again with new connections (the room's media moved to another process)."""
        await self._disconnect()
        self._connect()
        await self.join()

    async def join(self) -> None:
        await self.signalling.join(self.on_message)
        if self.video or self.tone:
            await self.publish()

    async def publish(self) -> None:
        if self.tone:
            self.labelled.append(("mic", self.publisher.addTransceiver(self.tone, "sendonly")))
        if self.video:
            self.labelled.append(("camera", self.publisher.addTransceiver(self.video, "sendonly")))
        await self._offer()

    async def share_screen(self, width: int, height: int, luma: int) -> None:
        """Add a screen next to the camera, as the page's "Partager l'écran" does."""
        screen = PatternVideoTrack(width, height, luma)
        self.labelled.append(("screen", self.publisher.addTransceiver(screen, "sendonly")))
        await self._offer()

    async def _offer(self) -> None:
        await self.publisher.setLocalDescription(await self.publisher.createOffer())
        sources = {t.mid: label for label, t in self.labelled}
        answer = await self.signalling.publish(self.publisher.localDescription.sdp, sources)
        await self.publisher.setRemoteDescription(RTCSessionDescription(answer, "answer"))

    async def on_message(self, message: dict) -> None:
        if message["type"] == "media.offer":
            self.offers += 1
            self.tracks.update(message["tracks"])
            await self.subscriber.setRemoteDescription(
                RTCSessionDescription(message["sdp"], "offer")
            )
            await self.subscriber.setLocalDescription(await self.subscriber.createAnswer())
            await self.signalling.answer(self.subscriber.localDescription.sdp)
        elif message["type"] == "media.closed":
            self.closed_by_server = message.get("reason", "")

    def _on_track(self, track: MediaStreamTrack) -> None:
        transceiver = next(
            t for t in self.subscriber.getTransceivers() if t.receiver.track is track
        )
        received = self.received[transceiver.mid] = Received(track.kind)
        if not self.decode:
            # Count encoded frames only (the benchmark's many viewers): nothing is decoded.
            received.counter = Source(kind=track.kind)
            tap(transceiver.receiver, received.counter)
            return
        self._readers.append(asyncio.ensure_future(self._read(track, received)))

    async def _read(self, track: MediaStreamTrack, received: Received) -> None:
        try:
            while True:
                frame = await track.recv()
                now = time.monotonic()
                received.frames += 1
                received.arrivals.append(now)
                if track.kind == "video":
                    received.sizes.add((frame.width, frame.height))
                    if received.frames % 5 == 1:
                        plane = frame.to_ndarray(format="gray")
                        received.luma = float(plane[plane.shape[0] // 2 :].mean())
                        if self.video is None or self.video.stamp:
                            received.stamps.append((read_stamp(frame), now))
                else:
                    samples = frame.to_ndarray().astype(np.float32)
                    received.loudness = float(np.sqrt(np.mean(samples**2)))
        except MediaStreamError:
            received.ended = True

    def from_user(self, user_id: int, source: str = "camera") -> Received | None:
        """The latest track received from `user_id`'s `source`, if any."""
        found = None
        for mid, info in self.tracks.items():
            if info["user_id"] == user_id and info["source"] == source and mid in self.received:
                found = self.received[mid]
        return found

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.signalling.leave()
        await self._disconnect()

    async def _disconnect(self) -> None:
        for task in self._readers:
            task.cancel()
        await asyncio.gather(*self._readers, return_exceptions=True)
        self._readers.clear()
        await self.publisher.close()
        await self.subscriber.close()


async def wait_for(predicate: Callable[[], bool], timeout: float = 10.0, step: float = 0.05):
    """Poll `predicate` until it holds (media arrives on its own schedule)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(step)
