"""What the SFU accepts from a browser: an SDP of bounded size, and its map of sources."""

from __future__ import annotations

from typing import Any

from parcours.errors import ErrorCode, ServiceError

# What a participant may send, and the kind of each.
SOURCE_KINDS = {"mic": "audio", "camera": "video", "screen": "video"}
# Largest SDP accepted from a client (a class's offer is a few kilobytes).
MAX_SDP_BYTES = 64 * 1024


def invalid(message: str, field_name: str) -> ServiceError:
    return ServiceError(ErrorCode.INVALID, message, {"field": field_name})


def check_sdp(sdp: Any, field_name: str = "data.sdp") -> str:
    if not isinstance(sdp, str) or not sdp.startswith("v=0"):
        raise invalid("Description de session (SDP) attendue.", field_name)
    if len(sdp.encode()) > MAX_SDP_BYTES or "\x00" in sdp:
        raise invalid("Description de session (SDP) trop longue ou invalide.", field_name)
    return sdp


def check_sources(sources: Any) -> dict[str, str]:
    """The browser's map of its publish connection: mid -> "mic" | "camera" | "screen"."""
    if not isinstance(sources, dict) or len(sources) > len(SOURCE_KINDS):
        raise invalid("« sources » doit associer chaque mid à une source.", "data.sources")
    for mid, label in sources.items():
        if not isinstance(mid, str) or not 0 < len(mid) <= 32 or label not in SOURCE_KINDS:
            raise invalid(f"Source inconnue : « {str(label)[:20]} ».", "data.sources")
    if len(set(sources.values())) != len(sources):
        raise invalid("Chaque source ne peut être envoyée qu'une fois.", "data.sources")
    return dict(sources)
