"""Synthetic aiortc tracks for recording tests: a tone per speaker, a coloured moving picture.

They pace themselves like real senders (aiortc's own `AudioStreamTrack` and
`VideoStreamTrack` clocks) and produce what the SFU hands over after decoding: stereo s16
at 48 kHz in 20 ms frames, and yuv420p pictures at the sender's size.
"""

from __future__ import annotations

import fractions
from pathlib import Path

import av
import numpy as np
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack

RATE = 48_000
SAMPLES = 960


class ToneTrack(AudioStreamTrack):
    """A sine tone, as a speaker's microphone would send after Opus decoding."""

    def __init__(self, hz: float = 440.0, amplitude: int = 6000) -> None:
        super().__init__()
        self.hz, self.amplitude = hz, amplitude
        self._sent = 0

    async def recv(self) -> av.AudioFrame:
        await super().recv()  # aiortc's pacing: one 20 ms frame per 20 ms
        t = (self._sent + np.arange(SAMPLES)) / RATE
        wave = (np.sin(2 * np.pi * self.hz * t) * self.amplitude).astype(np.int16)
        stereo = np.repeat(wave, 2).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(stereo, format="s16", layout="stereo")
        frame.sample_rate = RATE
        frame.pts = self._sent
        frame.time_base = fractions.Fraction(1, RATE)
        self._sent += SAMPLES
        return frame


class PatternTrack(VideoStreamTrack):
    """Bars of one colour moving over grey: never blank, and its colour says whose it is."""

    def __init__(self, rgb: tuple[int, int, int] = (220, 30, 30), size=(640, 360)) -> None:
        super().__init__()
        self.rgb, self.size = rgb, size
        self._count = 0

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        width, height = self.size
        image = np.full((height, width, 3), 90, np.uint8)
        offset = (self._count * 8) % width
        for start in range(0, width, 80):
            left = (start + offset) % width
            image[:, left : left + 40] = self.rgb
        self._count += 1
        frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuv420p")
        frame.pts, frame.time_base = pts, time_base
        return frame


def read_recording(path: Path) -> dict:
    """What a viewer gets from a file: its streams, length, pictures and loudness."""
    with av.open(str(path)) as container:
        kinds = sorted(stream.type for stream in container.streams)
        seconds = container.duration / 1_000_000 if container.duration else 0.0
        pictures = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    with av.open(str(path)) as container:
        sound = np.concatenate(
            [frame.to_ndarray().reshape(-1) for frame in container.decode(audio=0)]
        )
    return {
        "kinds": kinds,
        "seconds": seconds,
        "pictures": pictures,
        "audio_seconds": len(sound) / RATE,
        "sound": sound,
    }


def non_blank(picture: np.ndarray) -> bool:
    """A picture with something to see: not one flat colour (black, green or grey)."""
    return float(picture.std()) > 10.0


def rms(samples: np.ndarray) -> float:
    values = samples.astype(np.float64)
    if samples.dtype.kind == "f":
        values = values * 32768
    return float(np.sqrt(np.mean(values**2))) if len(values) else 0.0


def write_webm(path: Path, seconds: float = 3.0, *, fps: int = 15) -> Path:
    """A playable WebM made offline (no real-time pacing): a moving picture and a tone."""
    with av.open(str(path), "w", format="webm") as container:
        video = container.add_stream("libvpx", rate=fps, options={"deadline": "realtime"})
        video.width, video.height, video.pix_fmt = 320, 180, "yuv420p"
        video.codec_context.gop_size = fps
        audio = container.add_stream("libopus", rate=RATE)
        audio.layout = "mono"
        for index in range(int(seconds * fps)):
            image = np.full((180, 320, 3), 90, np.uint8)
            image[:, (index * 8) % 280 :][:, :40] = (220, 30, 30)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts, frame.time_base = index, fractions.Fraction(1, fps)
            container.mux(video.encode(frame))
        for index in range(int(seconds * RATE / SAMPLES)):
            t = (index * SAMPLES + np.arange(SAMPLES)) / RATE
            wave = (np.sin(2 * np.pi * 440 * t) * 6000).astype(np.int16).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(wave, format="s16", layout="mono")
            frame.sample_rate, frame.pts = RATE, index * SAMPLES
            frame.time_base = fractions.Fraction(1, RATE)
            container.mux(audio.encode(frame))
        container.mux(video.encode(None))
        container.mux(audio.encode(None))
    return path


def tone_energy(sound: np.ndarray, hz: float, *, width: float = 20.0) -> float:
    """The sound's energy near `hz`: a speaker's tone stands far above a frequency no one
    sent (the mix is heard, not just noise)."""
    spectrum = np.abs(np.fft.rfft(sound)) ** 2
    freqs = np.fft.rfftfreq(len(sound), 1 / RATE)
    return float(spectrum[(freqs > hz - width) & (freqs < hz + width)].mean())
