"""The recorder of one segment: every speaker's voice mixed, one picture, one WebM file.

The event loop only reads tracks (`await track.recv()`) and hands frames over; mixing,
scaling, encoding and muxing run in the recorder's own thread, paced by a clock of its own:
audio in 20 ms chunks, video at a constant frame rate sampling the chosen track's latest
picture. The file therefore lasts exactly as long as the segment did, whatever the
senders' frame rates, and a silent or camera-less moment is silence or black, never a gap.

WebM (VP8 + Opus) because Chromium and Firefox play it natively and because Matroska is
written as it goes: a process killed mid-segment leaves clusters that `repair.remux` turns
into a seekable file, where an MP4 without its index would be lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from . import frames

logger = logging.getLogger(__name__)

CONTENT_TYPE = "video/webm"
# Audio is mixed this far behind the clock, so that a frame arriving a little late still
# lands in its own chunk instead of being heard 20 ms later for the rest of the segment.
AUDIO_LAG = 0.1
VP8_OPTIONS = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"}
# Matroska clusters of at most a second, flushed to the file as each one is written: a
# killed process loses at most the last second. A keyframe every second keeps seeking
# precise.
WEBM_OPTIONS = {"cluster_time_limit": "1000", "flush_packets": "1"}
KEYFRAME_EVERY_SECONDS = 1


class RecorderFailed(Exception):
    """The segment could not be written to its end; `path` may still hold a part of it."""


@dataclass(frozen=True)
class SegmentFile:
    path: Path
    seconds: float
    size: int


class SegmentRecorder:
    """Records from `start()` to `stop()` into `path`; tracks may come and go in between.

    Owns its reader tasks and its encoder thread: `stop()` is their one close path, and is
    safe to call more than once (the first call does the work).
    """

    def __init__(
        self,
        path: Path,
        *,
        width: int = 640,
        height: int = 360,
        fps: int = 15,
        video_bitrate: int = 700_000,
        audio_bitrate: int = 48_000,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.width, self.height, self.fps = width, height, fps
        self.video_bitrate, self.audio_bitrate = video_bitrate, audio_bitrate
        self._on_failure = on_failure
        self._sources: dict[MediaStreamTrack, frames.AudioSource] = {}
        self._readers: dict[MediaStreamTrack, asyncio.Task] = {}
        self._video_track: MediaStreamTrack | None = None
        self._video_frame: av.VideoFrame | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._error: BaseException | None = None
        self._seconds = 0.0
        self._result: asyncio.Future[SegmentFile] | None = None

    # -- on the event loop -------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("a segment recorder starts once")
        self._loop = asyncio.get_running_loop()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(
            target=self._encode, name=f"recorder:{self.path.name}", daemon=True
        )
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stopping.is_set()

    @property
    def error(self) -> BaseException | None:
        return self._error

    def add_audio(self, track: MediaStreamTrack) -> None:
        """Mix `track` into the recording until it ends or `remove_audio` is called."""
        if track in self._sources or self._stopping.is_set():
            return
        source = frames.AudioSource()
        self._sources[track] = source
        self._readers[track] = asyncio.ensure_future(self._read(track, source.push))

    def remove_audio(self, track: MediaStreamTrack) -> None:
        self._sources.pop(track, None)
        self._cancel_reader(track)

    def loudest(self) -> MediaStreamTrack | None:
        """The audio track heard loudest lately, if anyone is speaking (active speaker)."""
        heard = [(source.level, track) for track, source in list(self._sources.items())]
        level, track = max(heard, key=lambda pair: pair[0], default=(0.0, None))
        return track if level >= frames.SPEAKING_LEVEL else None

    def set_video(self, track: MediaStreamTrack | None) -> None:
        """Film `track` from now on (the presenter's or the active speaker's); None: black."""
        if track is self._video_track or self._stopping.is_set():
            return
        if self._video_track is not None:
            self._cancel_reader(self._video_track)
        self._video_track = track
        if track is None:
            self._video_frame = None
            return
        self._readers[track] = asyncio.ensure_future(self._read(track, self._keep_video(track)))

    async def stop(self) -> SegmentFile:
        """Finish the file: stop reading, encode what is due, write the index, close."""
        if self._result is None:
            self._result = asyncio.ensure_future(self._stop())
        return await asyncio.shield(self._result)

    async def _stop(self) -> SegmentFile:
        self._stopping.set()
        readers = list(self._readers.values())
        self._readers.clear()
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        if self._thread is not None:
            # The thread encodes what is still due from the frames already handed over.
            await asyncio.to_thread(self._thread.join)
        self._sources.clear()
        self._video_frame = None
        if self._error is not None:
            raise RecorderFailed(str(self._error)) from self._error
        return SegmentFile(self.path, self._seconds, self.path.stat().st_size)

    def _cancel_reader(self, track: MediaStreamTrack) -> None:
        task = self._readers.pop(track, None)
        if task is not None:
            task.cancel()

    def _keep_video(self, track: MediaStreamTrack) -> Callable[[av.VideoFrame], None]:
        def keep(frame: av.VideoFrame) -> None:
            if track is self._video_track:
                self._video_frame = frame

        return keep

    async def _read(self, track: MediaStreamTrack, sink: Callable) -> None:
        try:
            while True:
                sink(await track.recv())
        except MediaStreamError:
            # The sender left or stopped this track: silence, or black, from now on.
            self._sources.pop(track, None)
            if track is self._video_track:
                self._video_track, self._video_frame = None, None
        finally:
            if self._readers.get(track) is asyncio.current_task():
                del self._readers[track]

    # -- in the encoder thread ---------------------------------------------------------

    def _encode(self) -> None:
        try:
            container = av.open(str(self.path), mode="w", format="webm", options=WEBM_OPTIONS)
            try:
                self._write(container)
            finally:
                # Writes the index and duration even after an error: what was encoded plays.
                container.close()
        except BaseException as exc:
            logger.exception("recording %s failed", self.path.name)
            self._error = exc
            self._stopping.set()
            if self._on_failure is not None and self._loop is not None:
                with contextlib.suppress(RuntimeError):  # loop already closed
                    self._loop.call_soon_threadsafe(self._on_failure, exc)

    def _write(self, container: av.container.OutputContainer) -> None:
        video = container.add_stream("libvpx", rate=self.fps, options=VP8_OPTIONS)
        video.width, video.height, video.pix_fmt = self.width, self.height, "yuv420p"
        video.bit_rate = self.video_bitrate
        # One encoder thread: libvpx's own threads cost more than they save at this size on
        # a small machine (6 ms a frame against 33 ms with its default on two cores).
        video.codec_context.thread_count = 1
        video.codec_context.gop_size = self.fps * KEYFRAME_EVERY_SECONDS
        audio = container.add_stream("libopus", rate=frames.SAMPLE_RATE)
        audio.layout = "mono"
        audio.bit_rate = self.audio_bitrate
        video_time_base = Fraction(1, self.fps)
        black = frames.black_frame(self.width, self.height)
        fitted: tuple[av.VideoFrame | None, av.VideoFrame] = (None, black)
        chunk_seconds = frames.CHUNK_SAMPLES / frames.SAMPLE_RATE
        chunks = pictures = 0
        origin = time.monotonic()
        while True:
            stopping = self._stopping.is_set()
            elapsed = time.monotonic() - origin
            mixed_until = elapsed if stopping else elapsed - AUDIO_LAG
            while (chunks + 1) * chunk_seconds <= mixed_until:
                samples = frames.mix(
                    [s.take(frames.CHUNK_SAMPLES) for s in list(self._sources.values())]
                )
                container.mux(
                    audio.encode(frames.audio_frame(samples, chunks * frames.CHUNK_SAMPLES))
                )
                chunks += 1
            while pictures / self.fps < elapsed:
                latest = self._video_frame
                if latest is None:
                    fitted = (None, black)
                elif latest is not fitted[0]:
                    fitted = (latest, frames.fit(latest, self.width, self.height))
                picture = fitted[1]
                picture.pts, picture.time_base = pictures, video_time_base
                container.mux(video.encode(picture))
                pictures += 1
            self._seconds = min(chunks * chunk_seconds, pictures / self.fps)
            if stopping:
                break
            due = min((chunks + 1) * chunk_seconds + AUDIO_LAG, pictures / self.fps)
            self._stopping.wait(max(0.0, due - (time.monotonic() - origin)))
        container.mux(video.encode(None))
        container.mux(audio.encode(None))
