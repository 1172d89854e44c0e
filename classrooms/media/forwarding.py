"""Forwarding a publisher's encoded frames to every viewer, without decoding them.

aiortc decodes every incoming track and re-encodes it for every outgoing one: a VP8 encode
per viewer per frame, the cost that caps a class at a handful of viewers per core. Here the
receiver's reassembled frames are taken before its decoder (`tap`), and each viewer's
sender is given a track that yields them as already-encoded packets, which aiortc only
re-packetises (`RTCRtpSender` packs anything that is not an `av.Frame`).

Video needs a keyframe to start from: a viewer's track drops frames until one arrives, and
asks the source for it; the source turns the requests of all its viewers into at most one
picture loss indication (PLI) to the publisher per `KEYFRAME_INTERVAL`. A viewer's own
PLI (loss on its side) goes the same way, since re-encoding is no longer there to answer it.

Decoded frames are made only when something asks for them (`Source.decoded()`: a recorder,
or the decode-and-re-encode mode the benchmark measures): the tap then also feeds aiortc's
decoder thread, and a `MediaRelay(buffered=False)` shares its frames, read as they come.

This reaches into two private parts of aiortc 1.16 (the receiver's decoder queue, the
sender's keyframe request), pinned in requirements.txt and exercised by the media tests.
"""

from __future__ import annotations

import asyncio
import fractions
import logging
import queue
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiortc import MediaStreamTrack, RTCRtpReceiver, RTCRtpSender
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamError

logger = logging.getLogger(__name__)

# Codecs whose frames can be forwarded as they are (what the subscriber side offers).
FORWARDABLE = {"video": "video/VP8", "audio": "audio/opus"}
CLOCK_RATES = {"video": 90_000, "audio": 48_000}
# At most one keyframe request to a publisher per this many seconds.
KEYFRAME_INTERVAL = 0.4
# Frames a viewer's track may hold before it is too slow: it then starts again from the
# next keyframe rather than fall ever further behind (no unbounded queue).
TRACK_QUEUE = {"video": 30, "audio": 50}


@dataclass(frozen=True, slots=True)
class EncodedPacket:
    """One encoded frame, as aiortc's packers read it: bytes, `pts`, `time_base`."""

    data: bytes
    pts: int
    time_base: fractions.Fraction
    keyframe: bool

    def __bytes__(self) -> bytes:
        return self.data


def is_keyframe(kind: str, data: bytes) -> bool:
    """Audio frames all stand alone; a VP8 frame is a keyframe when bit 0 of byte 0 is 0."""
    if kind == "audio":
        return True
    return bool(data) and not data[0] & 0x01


class TapQueue(queue.Queue):
    """Stands in for the receiver's decoder queue: frames go to the source first.

    aiortc's receiver `put`s each reassembled frame on its event loop, and `None` when it
    stops; its decoder thread `get`s from the same object, so the end always reaches it.
    """

    def __init__(self, source: Source) -> None:
        super().__init__()
        self.source = source

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        if item is None:
            super().put(None)
            self.source.end()
            return
        codec, frame = item
        self.source.on_frame(codec.mimeType, frame.data, frame.timestamp)
        if self.source.decoding:
            super().put(item)


def tap(receiver: RTCRtpReceiver, source: Source) -> None:
    """Route `receiver`'s encoded frames through `source`; call before it starts receiving."""
    if getattr(receiver, "_RTCRtpReceiver__decoder_thread", None) is not None:
        raise RuntimeError("the receiver already decodes: tap it from the `track` event")
    receiver._RTCRtpReceiver__decoder_queue = TapQueue(source)
    source.receiver = receiver


class Source:
    """One incoming track of a publisher (their microphone, camera or screen)."""

    def __init__(self, *, kind: str, on_end: Callable[[Source], None] | None = None) -> None:
        self.kind = kind
        self.receiver: RTCRtpReceiver | None = None
        self.codec: str | None = None
        self.viewers: list[ForwardedTrack] = []
        self.decoding = False
        self.frames = 0
        self.ended = False
        self._on_end = on_end
        self._time_base = fractions.Fraction(1, CLOCK_RATES[kind])
        self._last_request = 0.0
        self._request_timer: asyncio.TimerHandle | None = None
        self._pli: asyncio.Future | None = None
        self._relay: MediaRelay | None = None
        self._decoded: set[MediaStreamTrack] = set()

    # -- frames in -----------------------------------------------------------------------

    def on_frame(self, codec: str, data: bytes, timestamp: int) -> None:
        if codec != self.codec:
            self.codec = codec
            if codec.lower() != FORWARDABLE[self.kind].lower():
                logger.warning("classroom media: %s frames cannot be forwarded", codec)
        self.frames += 1
        if not self.viewers or codec.lower() != FORWARDABLE[self.kind].lower():
            return
        packet = EncodedPacket(data, timestamp, self._time_base, is_keyframe(self.kind, data))
        for viewer in self.viewers:
            viewer.push(packet)

    def end(self) -> None:
        """The publisher stopped (BYE, closed connection): every viewer's track ends."""
        if self.ended:
            return
        self.ended = True
        if self._request_timer is not None:
            self._request_timer.cancel()
        if self._pli is not None:
            self._pli.cancel()
        for viewer in list(self.viewers):
            viewer.stop()
        self.viewers.clear()
        if self._on_end is not None:
            self._on_end(self)

    # -- viewers -------------------------------------------------------------------------

    def forward(self) -> ForwardedTrack:
        """A new track of this source's encoded frames, starting at the next keyframe."""
        track = ForwardedTrack(self)
        if self.ended:
            track.stop()
        else:
            self.viewers.append(track)
            track.wait_for_keyframe()
        return track

    def detach(self, track: ForwardedTrack) -> None:
        if track in self.viewers:
            self.viewers.remove(track)

    def request_keyframe(self) -> None:
        """Ask the publisher for a keyframe, at most once per `KEYFRAME_INTERVAL`."""
        if self.kind != "video" or self.ended or self._request_timer is not None:
            return
        wait = self._last_request + KEYFRAME_INTERVAL - time.monotonic()
        loop = asyncio.get_running_loop()
        if wait > 0:
            self._request_timer = loop.call_later(wait, self._send_pli)
        else:
            self._send_pli()

    def _send_pli(self) -> None:
        self._request_timer = None
        receiver = self.receiver
        if receiver is None or self.ended:
            return
        # The SSRCs heard lately include the retransmission (RTX) stream's, which Chromium
        # also uses for bandwidth probes: a PLI naming it is ignored, so a late joiner would
        # wait forever for a keyframe. Ask on the media SSRC (aiortc maps RTX -> media).
        rtx = getattr(receiver, "_RTCRtpReceiver__rtx_ssrc", None) or {}
        media = [s.source for s in receiver.getSynchronizationSources() if s.source not in rtx]
        if not media:  # nothing received yet: the first frame will be a keyframe
            return
        self._last_request = time.monotonic()
        if self._pli is None or self._pli.done():
            self._pli = asyncio.ensure_future(receiver._send_rtcp_pli(media[-1]))

    # -- decoded frames, for whoever needs pixels or samples -----------------------------

    def decoded(self) -> MediaStreamTrack:
        """A track of decoded frames: this source decodes while one such track is live.

        Frames are shared with `MediaRelay(buffered=False)`: a slow reader skips frames
        instead of queueing them. The relay reads the decoder's output as long as the
        source lives, so decoded frames never pile up unread. When the last decoded track
        is stopped (a recording ends), frames stop going to the decoder: a source recorded
        once does not go on costing a decode per frame for the rest of the class.
        """
        if self.receiver is None or self.receiver.track is None:
            raise RuntimeError("the source has no receiver yet")
        if self._relay is None:
            self._relay = MediaRelay()
        track = self._relay.subscribe(self.receiver.track, buffered=False)
        self._decoded.add(track)
        track.on("ended", lambda: self._undecoded(track))
        if not self.decoding:
            self.decoding = True
            self.request_keyframe()  # the decoder starts (again) from a keyframe
        return track

    def _undecoded(self, track: MediaStreamTrack) -> None:
        self._decoded.discard(track)
        if not self._decoded:
            self.decoding = False


class GatedTrack(MediaStreamTrack):
    """Decoded frames of a source, held back while a moderator's rule says so (a muted
    microphone, a stopped camera): what a sink's `decoded()` reads, like a viewer's
    `ForwardedTrack` is gated. Stopping it stops the decoded track it reads."""

    def __init__(self, inner: MediaStreamTrack) -> None:
        super().__init__()
        self.kind = inner.kind
        self.inner = inner
        self.paused = False
        self._pending: asyncio.Future | None = None

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused = False

    async def recv(self):
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            self._pending = asyncio.ensure_future(self.inner.recv())
            try:
                frame = await self._pending
            except asyncio.CancelledError:
                if self.readyState != "live":  # stopped while waiting: no frame will come
                    raise MediaStreamError from None
                raise
            finally:
                self._pending = None
            if not self.paused:
                return frame

    def stop(self) -> None:
        super().stop()
        self.inner.stop()
        # Once nobody decodes, the relay may never hand the inner track another frame:
        # a reader waiting on it would wait forever.
        if self._pending is not None:
            self._pending.cancel()


class ForwardedTrack(MediaStreamTrack):
    """What one viewer's sender reads: the source's encoded frames, gated and bounded."""

    def __init__(self, source: Source) -> None:
        super().__init__()
        self.kind = source.kind
        self.source = source
        self.paused = False
        self.forwarded = 0
        self._needs_keyframe = False
        self._queue: deque[EncodedPacket] = deque()
        self._limit = TRACK_QUEUE[source.kind]
        self._waiter: asyncio.Future | None = None

    def push(self, packet: EncodedPacket) -> None:
        if self.paused or self.readyState != "live":
            return
        if self._needs_keyframe:
            if not packet.keyframe:
                return
            self._needs_keyframe = False
        if len(self._queue) >= self._limit:
            self._queue.clear()
            self.wait_for_keyframe()
            return
        self._queue.append(packet)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def wait_for_keyframe(self) -> None:
        """Drop frames until the next keyframe, and ask the publisher for one."""
        if self.kind == "video":
            self._needs_keyframe = True
            self.source.request_keyframe()

    def pause(self) -> None:
        """Forward nothing (muted, camera stopped, another breakout room)."""
        self.paused = True
        self._queue.clear()

    def resume(self) -> None:
        if self.paused:
            self.paused = False
            self.wait_for_keyframe()

    async def recv(self) -> EncodedPacket:
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            if self._queue:
                self.forwarded += 1
                return self._queue.popleft()
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None

    def stop(self) -> None:
        super().stop()
        self.source.detach(self)
        self._queue.clear()
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


def pass_keyframe_requests(sender: RTCRtpSender, source: Source) -> None:
    """A viewer's PLI or FIR reaches the publisher (aiortc would re-encode a keyframe)."""
    sender._send_keyframe = source.request_keyframe
