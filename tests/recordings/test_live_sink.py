"""The classroom's recording sink with real aiortc tracks, as the SFU's hook feeds it.

Each `Info` is shaped like `classrooms.media.sinks.TrackInfo`; its `decoded()` gives a new
track from a `MediaRelay(buffered=False)`, as the SFU's sources do."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiortc.contrib.media import MediaRelay
from asgiref.sync import sync_to_async

from recordings import services
from recordings.live import RoomRecorder
from recordings.models import Recording
from tests import factories
from tests.recordings.media import (
    RATE,
    PatternTrack,
    ToneTrack,
    non_blank,
    read_recording,
    tone_energy,
)
from tests.recordings.test_recorder import colour

RED, BLUE, GREEN = (220, 30, 30), (30, 30, 220), (30, 200, 30)
relay = MediaRelay()


@dataclass
class Info:
    user_id: int
    peer: str
    source: str
    kind: str
    track: object
    handed: list = field(default_factory=list)
    room_id: int = 12

    def decoded(self):
        proxy = relay.subscribe(self.track, buffered=False)
        self.handed.append(proxy)
        return proxy


def mic(user_id, hz, amplitude=6000):
    return Info(user_id, f"tab-{user_id}", "mic", "audio", ToneTrack(hz, amplitude))


def camera(user_id, rgb, source="camera"):
    return Info(user_id, f"tab-{user_id}", source, "video", PatternTrack(rgb))


@pytest.fixture
def class_session(transactional_db, media_dirs):
    session = factories.session()
    trainer = factories.member(session, "trainer").user
    return session, trainer


async def begin(session, trainer) -> Recording:
    return await sync_to_async(
        lambda: services.begin_segment(actor=trainer, scope=session.scope, room_id=12)
    )()


async def settled(recording: Recording, timeout: float = 20.0) -> Recording:
    for _ in range(int(timeout * 10)):
        await recording.arefresh_from_db()
        if recording.state != Recording.State.RECORDING:
            return recording
        await asyncio.sleep(0.1)
    raise AssertionError("the segment was never finished")


async def test_a_stop_command_finishes_a_playable_segment_of_everyone(class_session):
    session, trainer = class_session
    sink = RoomRecorder(12, presenter=lambda room_id: None)
    loud, quiet = mic(1, 440, 9000), mic(2, 660, 3000)
    red_camera, blue_camera = camera(1, RED), camera(2, BLUE)
    for info in (loud, quiet, red_camera, blue_camera):
        sink.track_added(info)
    recording = await begin(session, trainer)
    sink.command({"action": "start", "recording_id": recording.pk, "spool": recording.spool_path})
    await asyncio.sleep(2.0)
    screen = camera(2, GREEN, source="screen")
    sink.track_added(screen)  # a shared screen takes the picture over
    await asyncio.sleep(1.5)
    sink.command({"action": "stop", "recording_id": recording.pk})
    recording = await settled(recording)

    assert recording.state == Recording.State.READY
    assert not Path(recording.spool_path or "/nonexistent").exists()
    seen = read_recording(Path(recording.file.path))
    assert seen["kinds"] == ["audio", "video"]
    assert abs(seen["seconds"] - recording.seconds) <= 1.0 and 2.5 <= recording.seconds <= 5.0
    heard = {hz: tone_energy(seen["sound"][RATE:], hz) for hz in (440, 550, 660)}
    assert heard[440] > 10 * heard[550] and heard[660] > 10 * heard[550]  # both speakers
    colours = [colour(p) for p in seen["pictures"]]
    assert "red" in colours[: 2 * 15]  # the active speaker's camera, before the screen
    assert colours[-1] == "none" and non_blank(seen["pictures"][-1])  # green: the screen
    # Every track the sink was handed is stopped once the segment is over.
    for info in (loud, quiet, red_camera, blue_camera, screen):
        assert all(track.readyState == "ended" for track in info.handed)
    for info in (loud, quiet, red_camera, blue_camera, screen):
        info.track.stop()


async def test_the_presenters_camera_is_filmed_rather_than_the_loudest(class_session):
    session, trainer = class_session
    sink = RoomRecorder(12, presenter=lambda room_id: 2)
    infos = [mic(1, 440, 9000), camera(1, RED), camera(2, BLUE)]
    for info in infos:
        sink.track_added(info)
    recording = await begin(session, trainer)
    sink.command({"action": "start", "recording_id": recording.pk, "spool": recording.spool_path})
    await asyncio.sleep(2.0)
    await sink.close()  # the class ended (or its last participant left)
    recording = await settled(recording)
    colours = [colour(p) for p in read_recording(Path(recording.file.path))["pictures"]]
    assert colours[-5:] == ["blue"] * 5
    for info in infos:
        info.track.stop()


async def test_closing_the_room_finishes_the_running_segment(class_session):
    session, trainer = class_session
    sink = RoomRecorder(12)
    voice = mic(1, 500)
    sink.track_added(voice)
    recording = await begin(session, trainer)
    sink.command({"action": "start", "recording_id": recording.pk, "spool": recording.spool_path})
    await asyncio.sleep(1.5)
    await sink.close()
    await recording.arefresh_from_db()  # close() returns once the segment is stored
    assert recording.state == Recording.State.READY
    assert read_recording(Path(recording.file.path))["kinds"] == ["audio", "video"]
    assert sink.segment is None
    voice.track.stop()


async def test_a_speaker_who_leaves_is_no_longer_read(class_session):
    session, trainer = class_session
    sink = RoomRecorder(12)
    leaver, stayer = mic(1, 440), mic(2, 660)
    sink.track_added(leaver)
    sink.track_added(stayer)
    recording = await begin(session, trainer)
    sink.command({"action": "start", "recording_id": recording.pk, "spool": recording.spool_path})
    await asyncio.sleep(1.0)
    sink.track_removed(leaver)
    assert leaver.handed[0].readyState == "ended"
    assert stayer.handed[0].readyState == "live"
    await sink.close()
    await settled(recording)
    for info in (leaver, stayer):
        info.track.stop()


async def test_a_stop_given_while_the_presenter_is_looked_up_leaves_nothing_running(
    class_session,
):
    """Stop pressed at once, while the sink still asks the database who presents: the segment
    is finished, and the start, once answered, reads none of the room's tracks (each track
    read is a decoder kept running for a recording that has ended)."""
    session, trainer = class_session
    asked, answered = threading.Event(), threading.Event()

    def presenter(room_id: int) -> None:
        asked.set()
        answered.wait(10)

    sink = RoomRecorder(12, presenter=presenter)
    voice, picture = mic(1, 440), camera(1, RED)
    for info in (voice, picture):
        sink.track_added(info)
    recording = await begin(session, trainer)
    try:
        sink.command(
            {"action": "start", "recording_id": recording.pk, "spool": recording.spool_path}
        )
        assert await asyncio.to_thread(asked.wait, 10)
        sink.command({"action": "stop", "recording_id": recording.pk})
        assert (await settled(recording)).state == Recording.State.READY
        answered.set()
        await asyncio.sleep(1.5)  # past the start's end, and a second of choosing what to film
        taken = voice.handed + picture.handed
        assert [track.readyState for track in taken] == ["ended"] * len(taken)
        assert sink.segment is None
    finally:
        answered.set()
        await sink.close()
        for info in (voice, picture):
            info.track.stop()
