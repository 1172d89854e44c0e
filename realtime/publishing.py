"""`publish`: the one way apps emit realtime events.

Publishing inside a transaction waits for the commit, so a rolled-back write never produces
a phantom event. Tests observe what was published with `capture()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from django.db import transaction

from .events import Event

_recorders: list[list[tuple[str, Event]]] = []


def publish(topic: str, event: Event) -> None:
    transaction.on_commit(partial(_deliver, topic, event), robust=False)


def _deliver(topic: str, event: Event) -> None:
    for recorder in _recorders:
        recorder.append((topic, event))


@contextmanager
def capture() -> Iterator[list[tuple[str, Event]]]:
    """Record every event delivered while the block runs, as (topic, event) pairs."""
    recorded: list[tuple[str, Event]] = []
    _recorders.append(recorded)
    try:
        yield recorded
    finally:
        _recorders.remove(recorded)
