"""The recorder alone, with real aiortc tracks and PyAV reading back what a viewer gets."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import av
import numpy as np
import pytest

from recordings.media.recorder import RecorderFailed, SegmentRecorder
from recordings.media.repair import probe, salvage
from tests.recordings.media import (
    RATE,
    PatternTrack,
    ToneTrack,
    non_blank,
    read_recording,
    rms,
    tone_energy,
)

RED, BLUE = (220, 30, 30), (30, 30, 220)


async def record(path: Path, seconds: float, *, audio=(), video=None, during=None) -> float:
    """Record for `seconds`; returns the wall time the segment lasted."""
    recorder = SegmentRecorder(path)
    started = time.monotonic()
    recorder.start()
    for track in audio:
        recorder.add_audio(track)
    recorder.set_video(video)
    if during is not None:
        await during(recorder)
    await asyncio.sleep(seconds - (time.monotonic() - started))
    result = await recorder.stop()
    assert result.path == path and result.size == path.stat().st_size
    return time.monotonic() - started


def colour(picture: np.ndarray) -> str:
    red, _, blue = picture.reshape(-1, 3).mean(axis=0)
    return "red" if red > blue + 20 else "blue" if blue > red + 20 else "none"


async def test_every_speaker_is_heard_and_the_picture_is_filmed_for_the_whole_segment(tmp_path):
    path = tmp_path / "segment.webm"
    lasted = await record(
        path,
        3.0,
        audio=[ToneTrack(440), ToneTrack(660), ToneTrack(880)],
        video=PatternTrack(RED),
    )
    seen = read_recording(path)
    assert seen["kinds"] == ["audio", "video"]
    assert abs(seen["seconds"] - lasted) <= 1.0
    assert abs(seen["audio_seconds"] - lasted) <= 1.0
    assert abs(len(seen["pictures"]) / 15 - lasted) <= 1.0
    settled = seen["pictures"][8:]  # the first pictures may precede the camera's first frame
    assert sum(map(non_blank, settled)) >= 0.9 * len(settled)
    sound = seen["sound"][RATE // 2 :]
    silent = max(tone_energy(sound, hz) for hz in (550, 770, 990))  # no one sent these
    assert all(tone_energy(sound, hz) > 10 * silent for hz in (440, 660, 880))


async def test_switching_the_picture_films_the_new_presenter(tmp_path):
    path = tmp_path / "switch.webm"
    blue = PatternTrack(BLUE)

    async def switch_later(recorder):
        await asyncio.sleep(1.5)
        recorder.set_video(blue)

    await record(path, 3.0, audio=[ToneTrack()], video=PatternTrack(RED), during=switch_later)
    colours = [colour(p) for p in read_recording(path)["pictures"]]
    before, after = colours[: int(1.4 * 15)], colours[int(2.2 * 15) :]
    assert "red" in before and "blue" not in before
    assert "red" not in after and after.count("blue") >= len(after) // 2


async def test_a_screen_of_another_shape_is_letterboxed_not_stretched(tmp_path):
    path = tmp_path / "screen.webm"
    await record(path, 2.0, audio=[ToneTrack()], video=PatternTrack(RED, size=(480, 480)))
    picture = read_recording(path)["pictures"][-1]
    assert picture.shape == (360, 640, 3)
    assert picture[:, :100].max() < 40 and picture[:, -100:].max() < 40  # black bars
    assert non_blank(picture[:, 160:480])


async def test_without_any_camera_the_video_is_black_and_still_lasts(tmp_path):
    path = tmp_path / "voice.webm"
    lasted = await record(path, 2.0, audio=[ToneTrack(500)])
    seen = read_recording(path)
    assert seen["kinds"] == ["audio", "video"]
    assert abs(len(seen["pictures"]) / 15 - lasted) <= 1.0
    assert not any(map(non_blank, seen["pictures"]))
    assert rms(seen["sound"][RATE // 2 :]) > 1000


async def test_a_speaker_who_leaves_is_silent_afterwards_and_the_file_goes_on(tmp_path):
    path = tmp_path / "leaver.webm"
    leaver = ToneTrack(440)

    async def leave_later(recorder):
        await asyncio.sleep(1.0)
        leaver.stop()

    lasted = await record(path, 2.5, audio=[leaver], video=PatternTrack(), during=leave_later)
    seen = read_recording(path)
    assert abs(seen["audio_seconds"] - lasted) <= 1.0
    assert rms(seen["sound"][RATE // 4 : RATE * 3 // 4]) > 1000
    assert rms(seen["sound"][int(RATE * 1.6) :]) < 50


class BrokenTrack(ToneTrack):
    """A sender whose frames stop being audio after one second."""

    async def recv(self):
        frame = await super().recv()
        if self._sent > RATE:
            return "not a frame"
        return frame


async def test_a_failure_mid_segment_is_reported_and_what_was_recorded_still_plays(tmp_path):
    path = tmp_path / "broken.webm"
    failures = []
    recorder = SegmentRecorder(path, on_failure=failures.append)
    recorder.start()
    recorder.add_audio(BrokenTrack())
    recorder.set_video(PatternTrack())
    await asyncio.sleep(2.0)
    assert failures and recorder.error is failures[0]
    with pytest.raises(RecorderFailed):
        await recorder.stop()
    with pytest.raises(RecorderFailed):  # the one close path answers the same every time
        await recorder.stop()
    kept = probe(path)
    assert kept is not None and kept.has_audio and kept.has_video
    assert 0.5 <= kept.seconds <= 2.0


KILLED_RECORDER = textwrap.dedent(
    """
    import asyncio, os, signal, sys
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from recordings.media.recorder import SegmentRecorder
    from tests.recordings.media import PatternTrack, ToneTrack

    async def main():
        recorder = SegmentRecorder(Path({path!r}))
        recorder.start()
        recorder.add_audio(ToneTrack())
        recorder.set_video(PatternTrack())
        await asyncio.sleep(2.5)
        os.kill(os.getpid(), signal.SIGKILL)

    asyncio.run(main())
    """
)


@pytest.mark.slow
def test_a_recorder_killed_with_its_process_leaves_a_file_that_salvage_makes_seekable(tmp_path):
    damaged, repaired = tmp_path / "killed.webm", tmp_path / "repaired.webm"
    root = str(Path(__file__).resolve().parents[2])
    script = KILLED_RECORDER.format(root=root, path=str(damaged))
    process = subprocess.run([sys.executable, "-c", script], timeout=60, check=False)
    assert process.returncode == -signal.SIGKILL
    found = salvage(damaged, repaired)
    assert found is not None and found.has_audio and found.has_video
    assert 1.0 <= found.seconds <= 3.0
    with av.open(str(repaired)) as container:
        assert container.duration / 1_000_000 == pytest.approx(found.seconds, abs=0.5)
        container.seek(int(found.seconds / 2 * 1_000_000))
        frame = next(container.decode(video=0))
        assert frame.time >= found.seconds / 2 - 1.0


def test_salvage_keeps_nothing_of_a_file_with_nothing_playable(tmp_path):
    damaged, repaired = tmp_path / "garbage.webm", tmp_path / "repaired.webm"
    damaged.write_bytes(b"\x1a\x45\xdf\xa3" + bytes(5000))
    assert salvage(damaged, repaired) is None
    assert not repaired.exists()
    assert probe(damaged) is None
