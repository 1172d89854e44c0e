"""What is left of a segment whose recorder died: a playable file, or nothing.

A recorder killed with its process leaves a WebM without its index (cues) and duration:
players can start it but not seek, and some refuse it. `salvage` copies its packets into
a fresh file, which the muxer closes properly, and reports how long it lasts; a file with
nothing decodable yields None, and the recording is then marked failed, never listed as
if it were whole.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

import av


@dataclass(frozen=True)
class Probe:
    seconds: float
    has_audio: bool
    has_video: bool


def probe(path: Path) -> Probe | None:
    """How long `path` plays, by reading its packets (a broken index cannot lie here)."""
    try:
        with av.open(str(path)) as container:
            last = 0.0
            kinds = set()
            for packet in container.demux():
                if packet.pts is None or packet.size == 0:
                    continue
                kinds.add(packet.stream.type)
                end = packet.pts + (packet.duration or 0)
                last = max(last, float(end * packet.time_base))
    except (av.FFmpegError, OSError, ValueError):
        return None
    if not kinds or last <= 0:
        return None
    return Probe(last, "audio" in kinds, "video" in kinds)


def salvage(damaged: Path, repaired: Path) -> Probe | None:
    """Copy every readable packet of `damaged` into `repaired`, closed with its index."""
    try:
        with av.open(str(damaged)) as source, av.open(str(repaired), "w", format="webm") as out:
            streams = {}
            for stream in source.streams:
                if stream.type in ("audio", "video"):
                    streams[stream.index] = out.add_stream_from_template(stream)
            for packet in source.demux():
                target = streams.get(packet.stream.index)
                if target is None or packet.dts is None:
                    continue
                packet.stream = target
                out.mux(packet)
    except (av.FFmpegError, OSError, ValueError):
        # What was copied before the damage is still worth keeping if it plays.
        pass
    found = probe(repaired) if repaired.exists() else None
    if found is None:
        with contextlib.suppress(OSError):
            repaired.unlink()
    return found
