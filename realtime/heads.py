"""State with its position: an API read returns the heads of the topics it depends on.

A route reads the heads *before* its state (`expose_heads` first, then the selectors): an
event committed in between is then both in the state and replayed after `since`, and a
client applies it idempotently, while the other order could lose it. Each read gives the
heads in its body (`"topics": {"discussion:3": 42}`) where the body is an object, and always
in the `Preau-Topics` header (JSON), so that a list keeps its shape.
"""

from __future__ import annotations

import json

from django.http import HttpResponse

from .selectors import heads

HEADER = "Preau-Topics"


def expose_heads(response: HttpResponse, topics: list[str]) -> dict[str, int]:
    """Read the heads of `topics`, put them in the response's header, and return them."""
    found = heads(topics)
    put_heads(response, found)
    return found


def put_heads(response: HttpResponse, found: dict[str, int]) -> None:
    """Put heads already read (before the state they go with) in the response's header."""
    response[HEADER] = json.dumps(found, separators=(",", ":"))
