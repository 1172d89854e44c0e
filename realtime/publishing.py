"""`publish`: the one way apps emit realtime events, designed as an outbox.

A durable event takes the next sequence number of its topic and is stored, inside the
caller's transaction: it exists if and only if the write it describes committed, and it
survives a crash between the commit and the fan-out (other processes notice the missing
number and read it back, see `hub.py`). The fan-out itself waits for the commit, so a
rolled-back write never produces a phantom event. Tests observe what was published with
`capture()`.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.db import connection, transaction

from . import conf
from .bus import get_bus, payload
from .events import Event
from .models import StoredEvent, TopicSequence
from .topics import TOPIC_PATTERN

logger = logging.getLogger(__name__)

_recorders: list[list[tuple[str, Event]]] = []
# Per thread: the (topic, seq) pairs numbered while a `numbered()` block runs.
_numbering = threading.local()


def publish(topic: str, event: Event) -> int | None:
    """Emit `event` on `topic` once the caller's transaction commits (at once outside one).

    Returns the durable event's sequence number (for a client's ack), None for an ephemeral one.
    """
    if not isinstance(topic, str) or not TOPIC_PATTERN.match(topic):
        raise ValueError(f"invalid topic {topic!r}")
    if not isinstance(event, Event):
        raise TypeError("publish() takes an instance of a realtime.events.Event subclass")
    if not event.durable:
        transaction.on_commit(partial(_deliver, topic, event, "", encode(topic, None, event)))
        return None
    # No savepoint inside the caller's transaction: a failed publish fails the write.
    with transaction.atomic(savepoint=False):
        seq = _next_seq(topic)
        _record_number(topic, seq)
        frame = encode(topic, seq, event)
        StoredEvent.objects.create(topic=topic, seq=seq, frame=frame)
        _prune(topic, seq)
        transaction.on_commit(partial(_deliver, topic, event, str(seq), frame))
    return seq


async def apublish(topic: str, event: Event) -> int | None:
    """`publish` for async code: runs on the gateway's database pool."""
    from . import db

    return await db.run(publish, topic, event)


def publish_many(topics: Iterable[str], event: Event) -> dict[str, int]:
    """`publish` of one event on many topics (a notification to each reader's `user:<id>`)
    in the same few queries however many they are; returns each topic's sequence number."""
    return dict(publish_each((topic, event) for topic in dict.fromkeys(topics)))


def publish_each(items: Iterable[tuple[str, Event]]) -> list[tuple[str, int | None]]:
    """`publish` of several (topic, event) pairs in a fixed number of queries.

    Topics are numbered in sorted order, the order every publish to several topics follows,
    so that two such writers never hold each other's rows; the events of one topic keep
    the order given. Returns (topic, seq) in that numbering order.
    """
    items = sorted(items, key=lambda item: item[0])  # stable: a topic's events keep order
    for topic, event in items:
        if not isinstance(topic, str) or not TOPIC_PATTERN.match(topic):
            raise ValueError(f"invalid topic {topic!r}")
        if not isinstance(event, Event):
            raise TypeError("publish_each() takes instances of realtime.events.Event")
    durable = [(topic, event) for topic, event in items if event.durable]
    for topic, event in items:
        if not event.durable:
            publish(topic, event)
    if not durable:
        return []
    counts: dict[str, int] = {}
    for topic, _ in durable:
        counts[topic] = counts.get(topic, 0) + 1
    with transaction.atomic(savepoint=False):
        last = _advance(counts)
        next_seq = {topic: last[topic] - counts[topic] for topic in counts}
        numbered = []
        for topic, event in durable:
            next_seq[topic] += 1
            _record_number(topic, next_seq[topic])
            numbered.append((topic, next_seq[topic], event, encode(topic, next_seq[topic], event)))
            _record_number(topic, next_seq[topic])
        StoredEvent.objects.bulk_create(
            StoredEvent(topic=topic, seq=seq, frame=frame) for topic, seq, _, frame in numbered
        )
        for topic, seq, event, frame in numbered:
            _prune(topic, seq)
            transaction.on_commit(partial(_deliver, topic, event, str(seq), frame))
    return [(topic, seq) for topic, seq, _, _ in numbered]


def encode(topic: str, seq: int | None, event: Event) -> str:
    """The frame every subscriber receives, encoded once for all of them."""
    frame: dict[str, Any] = {"topic": topic, "type": event.type, "data": event.data()}
    if seq is not None:
        frame["seq"] = seq
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def _next_seq(topic: str) -> int:
    # An upsert that locks the topic's row until commit: numbers are gapless and commit in
    # order on each topic, which the hubs' gap detection relies on.
    table = connection.ops.quote_name(TopicSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (topic, last_seq) VALUES (%s, 1) "
            f"ON CONFLICT (topic) DO UPDATE SET last_seq = {table}.last_seq + 1 "
            "RETURNING last_seq",
            [topic],
        )
        return cursor.fetchone()[0]


def _advance(counts: dict[str, int]) -> dict[str, int]:
    """Move each topic's sequence on by its count in one statement, rows taken in sorted
    order; returns each topic's new last number."""
    table = connection.ops.quote_name(TopicSequence._meta.db_table)
    rows = ", ".join(["(%s, %s)"] * len(counts))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (topic, last_seq) VALUES {rows} "
            f"ON CONFLICT (topic) DO UPDATE SET last_seq = {table}.last_seq + excluded.last_seq "
            "RETURNING topic, last_seq",
            [value for topic in sorted(counts) for value in (topic, counts[topic])],
        )
        return dict(cursor.fetchall())


def _prune(topic: str, seq: int) -> None:
    """Keep the last `REALTIME_RETENTION` events of the topic, pruning in batches."""
    keep = conf.get("REALTIME_RETENTION")
    batch = max(1, min(100, keep // 10))
    if seq > keep and seq % batch == 0:
        StoredEvent.objects.filter(topic=topic, seq__lte=seq - keep).delete()


def _deliver(topic: str, event: Event, marker: str, frame: str) -> None:
    for recorder in _recorders:
        recorder.append((topic, event))
    fan_out(topic, marker, frame)


def fan_out(topic: str, marker: str, frame: str) -> None:
    """Hand an encoded frame to every process following `topic`."""
    try:
        get_bus().publish(topic, payload(marker, frame))
    except Exception:
        # The stored event is still replayed; a live ephemeral one is lost, as ephemeral.
        logger.exception("realtime fan-out failed on %s", topic)


def _record_number(topic: str, seq: int) -> None:
    for taken in getattr(_numbering, "blocks", ()):
        taken.append((topic, seq))


@contextmanager
def numbered() -> Iterator[list[tuple[str, int]]]:
    """The (topic, seq) pairs of the durable events numbered in this thread during the block:
    how the gateway acks a client's send with the seq its handler's write took."""
    taken: list[tuple[str, int]] = []
    blocks = _numbering.__dict__.setdefault("blocks", [])
    blocks.append(taken)
    try:
        yield taken
    finally:
        blocks.remove(taken)


@contextmanager
def capture() -> Iterator[list[tuple[str, Event]]]:
    """Record every event delivered while the block runs, as (topic, event) pairs."""
    recorded: list[tuple[str, Event]] = []
    _recorders.append(recorded)
    try:
        yield recorded
    finally:
        _recorders.remove(recorded)
