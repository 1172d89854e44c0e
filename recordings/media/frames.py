"""What the recorder does to frames, off the event loop: mix voices, fit pictures.

Both run in the recorder's encoder thread. They turn whatever the SFU hands over (Opus
decoded as stereo s16 at 48 kHz, video at the sender's size) into the recording's one
format: mono s16 at 48 kHz in 20 ms chunks, and yuv420p at a fixed size with black bars
when the aspect ratio differs (a screen share is not stretched to 16:9).
"""

from __future__ import annotations

from collections import deque
from fractions import Fraction

import av
import numpy as np

SAMPLE_RATE = 48_000
CHUNK_SAMPLES = 960  # 20 ms, Opus's frame size
AUDIO_TIME_BASE = Fraction(1, SAMPLE_RATE)
# A voice that has buffered more than this is behind: its oldest samples are dropped, so
# that one late speaker cannot drift away from the others and from the picture.
MAX_BACKLOG_SAMPLES = SAMPLE_RATE * 3 // 10
# Each 20 ms chunk moves a speaker's level this far towards its own loudness (~1 s memory).
LEVEL_SMOOTHING = 0.05
# Below this level (RMS of 16-bit samples) nobody counts as speaking.
SPEAKING_LEVEL = 300.0
# Frames waiting for a stalled encoder beyond this are dropped, oldest first (one second).
MAX_QUEUED_FRAMES = 50


class AudioSource:
    """One speaker's samples, waiting to be mixed.

    `push` is called on the event loop, `take` in the encoder thread: the hand-over is a
    deque of whole frames, whose append and popleft are atomic.
    """

    def __init__(self) -> None:
        self._frames: deque[av.AudioFrame] = deque(maxlen=MAX_QUEUED_FRAMES)
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        self._pending = np.zeros(0, dtype=np.int16)
        # How loud the speaker has been lately (RMS, smoothed over about a second).
        self.level = 0.0

    def push(self, frame: av.AudioFrame) -> None:
        self._frames.append(frame)

    def take(self, samples: int) -> np.ndarray:
        """The next `samples` samples, padded with silence when the speaker sent fewer."""
        while self._frames:
            frame = self._frames.popleft()
            for out in self._resampler.resample(frame):
                self._pending = np.concatenate([self._pending, out.to_ndarray().reshape(-1)])
        if len(self._pending) > MAX_BACKLOG_SAMPLES:
            self._pending = self._pending[-MAX_BACKLOG_SAMPLES:]
        chunk, self._pending = self._pending[:samples], self._pending[samples:]
        if len(chunk) < samples:
            chunk = np.concatenate([chunk, np.zeros(samples - len(chunk), dtype=np.int16)])
        loudness = float(np.sqrt(np.mean(chunk.astype(np.float32) ** 2)))
        self.level += (loudness - self.level) * LEVEL_SMOOTHING
        return chunk


def mix(chunks: list[np.ndarray], samples: int = CHUNK_SAMPLES) -> np.ndarray:
    """The sum of every speaker's chunk, clipped to 16 bits (silence when nobody speaks)."""
    if not chunks:
        return np.zeros(samples, dtype=np.int16)
    total = np.sum([chunk.astype(np.int32) for chunk in chunks], axis=0)
    return np.clip(total, -32768, 32767).astype(np.int16)


def audio_frame(samples: np.ndarray, pts: int) -> av.AudioFrame:
    frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = SAMPLE_RATE
    frame.pts = pts
    frame.time_base = AUDIO_TIME_BASE
    return frame


def black_frame(width: int, height: int) -> av.VideoFrame:
    return _yuv_frame(*_black_planes(width, height))


def fit(frame: av.VideoFrame, width: int, height: int) -> av.VideoFrame:
    """`frame` scaled into `width` x `height`, letterboxed when its aspect ratio differs."""
    scale = min(width / frame.width, height / frame.height)
    inner_w = max(2, int(frame.width * scale) // 2 * 2)
    inner_h = max(2, int(frame.height * scale) // 2 * 2)
    if (inner_w, inner_h) == (width, height):
        return frame.reformat(width=width, height=height, format="yuv420p")
    small = frame.reformat(width=inner_w, height=inner_h, format="yuv420p")
    y, u, v = _black_planes(width, height)
    top, left = (height - inner_h) // 4 * 2, (width - inner_w) // 4 * 2
    for canvas, plane, div in (
        (y, small.planes[0], 1),
        (u, small.planes[1], 2),
        (v, small.planes[2], 2),
    ):
        rows = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
        canvas[top // div : top // div + plane.height, left // div : left // div + plane.width] = (
            rows[:, : plane.width]
        )
    return _yuv_frame(y, u, v)


def _black_planes(width: int, height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # Black in the limited range video codecs use: Y = 16, chroma at its midpoint.
    return (
        np.full((height, width), 16, np.uint8),
        np.full((height // 2, width // 2), 128, np.uint8),
        np.full((height // 2, width // 2), 128, np.uint8),
    )


def _yuv_frame(y: np.ndarray, u: np.ndarray, v: np.ndarray) -> av.VideoFrame:
    height, width = y.shape
    packed = np.concatenate([y.ravel(), u.ravel(), v.ravel()]).reshape(height * 3 // 2, width)
    return av.VideoFrame.from_ndarray(packed, format="yuv420p")
