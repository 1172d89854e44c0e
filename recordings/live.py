"""The recording sink of a classroom: the SFU's tracks in, one segment file at a time out.

`classrooms` cannot call `recordings` (imports point the other way), so this sink is
registered with the classroom SFU's hook (`classrooms.media.sinks.register_sink`, from
`RecordingsConfig.ready`) and runs wherever the room's media runs: the server with the
embedded default, the classroom's worker process with Redis. It is fed every incoming
track (`track_added` / `track_removed`), receives "start" and "stop" from the recordings
services (`classrooms.live.send_to_sink`), and is closed when the room's media ends (class
ended, last participant gone, worker stopping): a running segment is finished then too.

It only relies on the hook's documented shape (a track's `user_id`, `peer`, `source`,
`kind` and `decoded()`), so that it can be tested with real aiortc tracks on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiortc.mediastreams import MediaStreamTrack
from django.db import connection

from classrooms import selectors as classroom_selectors

from . import services
from .media.recorder import RecorderFailed, SegmentRecorder

logger = logging.getLogger(__name__)

# Who is filmed: a shared screen first, then the presenter's camera, then the camera of
# whoever has spoken loudest lately, then any camera.
CHOOSE_EVERY_SECONDS = 1.0


async def _in_thread(function: Callable, /, *args, **kwargs) -> Any:
    """Run a service off the SFU's loop, in a thread of its own that closes its database
    connection: the media loop never waits on the web's thread-sensitive executor (which a
    request may be holding while it hands this very loop a command)."""

    def run() -> Any:
        try:
            return function(*args, **kwargs)
        finally:
            connection.close()

    return await asyncio.to_thread(run)


class _Segment:
    """One running segment: its recorder, the decoded tracks it reads, its tasks."""

    def __init__(self, recording_id: int, recorder: SegmentRecorder) -> None:
        self.recording_id = recording_id
        self.recorder = recorder
        self.audio: dict[tuple[str, str], MediaStreamTrack] = {}
        self.video_key: tuple[str, str] | None = None
        self.video_track: MediaStreamTrack | None = None
        self.tasks: list[asyncio.Task] = []

    def release(self) -> None:
        """Stop every track this segment read (each `decoded()` track is ours to stop)."""
        for track in [*self.audio.values(), self.video_track]:
            if track is not None:
                track.stop()
        self.audio.clear()
        self.video_key, self.video_track = None, None


class RoomRecorder:
    """The `RoomSink` of one classroom for recordings (see `classrooms/media/sinks.py`)."""

    def __init__(
        self, room_id: int, *, presenter: Callable[[int], int | None] | None = None
    ) -> None:
        self.room_id = room_id
        self._presenter_of = presenter
        self.presenter_id: int | None = None
        self.tracks: dict[tuple[str, str], Any] = {}
        self.segment: _Segment | None = None
        self._tasks: set[asyncio.Task] = set()

    # -- the hook's calls, on the SFU's event loop: none blocks it ------------------------

    def track_added(self, info: Any) -> None:
        key = (info.peer, info.source)
        self.tracks[key] = info
        if self.segment is not None and info.kind == "audio":
            self._hear(self.segment, key, info)
        if self.segment is not None:
            self._film(self.segment)

    def track_removed(self, info: Any) -> None:
        key = (info.peer, info.source)
        self.tracks.pop(key, None)
        segment = self.segment
        if segment is None:
            return
        track = segment.audio.pop(key, None)
        if track is not None:
            segment.recorder.remove_audio(track)
            track.stop()
        if segment.video_key == key:
            self._film(segment)

    def command(self, data: dict[str, Any]) -> None:
        action = data.get("action")
        if action == "start":
            self._spawn(self._start(int(data["recording_id"]), Path(data["spool"])))
        elif action == "stop":
            self._spawn(self._stop(int(data["recording_id"])))
        else:
            logger.warning("classroom %s: unknown recording command %r", self.room_id, action)

    async def close(self) -> None:
        """The room's media ends: let a command in flight land (a start given just before
        the end still makes a segment), then finish the running segment."""
        pending = list(self._tasks)
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        segment = self.segment
        if segment is not None:
            await self._finish(segment)

    # -- segments --------------------------------------------------------------------------

    def _spawn(self, coro) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _start(self, recording_id: int, spool: Path) -> None:
        if self.segment is not None:
            logger.warning("classroom %s: already recording", self.room_id)
            return
        segment = _Segment(recording_id, SegmentRecorder(spool))
        self.segment = segment
        segment.recorder.start()
        if self._presenter_of is not None:
            try:
                self.presenter_id = await _in_thread(self._presenter_of, self.room_id)
            except Exception:
                # Whom to film first is a preference: the recording goes on without it.
                logger.exception("classroom %s: presenter unknown", self.room_id)
        if self.segment is not segment:
            # Stopped (or the room closed) while the presenter was looked up: the segment is
            # finished already, and nothing may start reading tracks or renewing it now.
            return
        for key, info in list(self.tracks.items()):
            if info.kind == "audio":
                self._hear(segment, key, info)
        self._film(segment)
        segment.tasks = [
            asyncio.ensure_future(self._keep_alive(segment)),
            asyncio.ensure_future(self._keep_choosing(segment)),
        ]

    async def _stop(self, recording_id: int) -> None:
        segment = self.segment
        if segment is None or segment.recording_id != recording_id:
            return
        await self._finish(segment)

    async def _finish(self, segment: _Segment) -> None:
        """The one close path of a segment: file finished, stored, and the room told."""
        if self.segment is segment:
            self.segment = None
        for task in segment.tasks:
            task.cancel()
        try:
            result = await segment.recorder.stop()
        except RecorderFailed as exc:
            await _in_thread(
                services.fail_segment_by_id,
                recording_id=segment.recording_id,
                reason=str(exc) or type(exc).__name__,
            )
        else:
            await _in_thread(
                services.finish_segment_by_id,
                recording_id=segment.recording_id,
                seconds=result.seconds,
            )
        finally:
            segment.release()
            await asyncio.gather(*segment.tasks, return_exceptions=True)

    async def _keep_alive(self, segment: _Segment) -> None:
        while True:
            await asyncio.sleep(services.HEARTBEAT_SECONDS)
            with contextlib.suppress(Exception):
                await _in_thread(services.keep_alive, recording_id=segment.recording_id)
            if segment.recorder.error is not None:
                # The encoder died: settle now rather than when someone presses stop.
                self._spawn(self._finish(segment))
                return

    async def _keep_choosing(self, segment: _Segment) -> None:
        while True:
            await asyncio.sleep(CHOOSE_EVERY_SECONDS)
            self._film(segment)

    # -- what is heard and what is filmed ------------------------------------------------

    def _hear(self, segment: _Segment, key: tuple[str, str], info: Any) -> None:
        if key in segment.audio:
            return
        track = info.decoded()
        segment.audio[key] = track
        segment.recorder.add_audio(track)

    def _film(self, segment: _Segment) -> None:
        key = self._choose(segment)
        if key == segment.video_key:
            return
        old = segment.video_track
        segment.video_key = key
        segment.video_track = self.tracks[key].decoded() if key is not None else None
        segment.recorder.set_video(segment.video_track)
        if old is not None:
            old.stop()

    def _choose(self, segment: _Segment) -> tuple[str, str] | None:
        videos = {key: info for key, info in self.tracks.items() if info.kind == "video"}
        screens = [key for key in videos if key[1] == "screen"]
        if screens:
            return segment.video_key if segment.video_key in screens else screens[-1]
        cameras = {info.user_id: key for key, info in videos.items()}
        if self.presenter_id in cameras:
            return cameras[self.presenter_id]
        speaker = self._loudest(segment)
        if speaker is not None and speaker in cameras:
            return cameras[speaker]
        if segment.video_key in videos:
            return segment.video_key
        return next(iter(videos), None)

    def _loudest(self, segment: _Segment) -> int | None:
        track = segment.recorder.loudest()
        for key, heard in segment.audio.items():
            if heard is track and key in self.tracks:
                return self.tracks[key].user_id
        return None


def room_recorder(room_id: int) -> RoomRecorder:
    """The factory registered with the SFU's sink hook: films the room's presenter first."""
    return RoomRecorder(room_id, presenter=classroom_selectors.presenter_of)
