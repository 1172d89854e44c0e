"""The heads of live topics, for the core's own API reads (see `realtime/heads.py`).

The gateway sits above the core, so the core does not import it: `realtime` registers its
reader here when it starts. Without it (the core alone) every head reads as 0.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse

Reader = Callable[[HttpResponse, list[str]], dict[str, int]]
_reader: Reader | None = None


def register(reader: Reader) -> None:
    global _reader
    _reader = reader


def expose_heads(response: HttpResponse, topics: list[str]) -> dict[str, int]:
    """The heads of `topics`, also put in the response's `Preau-Topics` header."""
    if _reader is None:
        return dict.fromkeys(topics, 0)
    return _reader(response, topics)
