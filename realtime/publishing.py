"""`publish`: the one way apps emit realtime events, designed as an outbox.

A durable event is stored unnumbered inside the caller's transaction: it exists if and only
if the write it describes committed. Its number is taken right after that commit, in a short
transaction of its own (`_number`, one round trip) that locks the topic's sequence row and
numbers every committed event of the topic still waiting, in the order they were
written. So writers to one topic never queue on its row while their transactions run, and
readers still see each topic's numbers gapless and committed in order: numbers are only ever
handed out by the holder of the row, and the hubs' gap detection (see `hub.py`) holds.

Clients' sends come in bursts on one topic (a class of 30 chatting): the gateway commits each
topic's waiting sends together (`publish_together`, group commit), and their events are
numbered by the last statements of that one transaction instead of after it.

What readers see: an event becomes visible (replay, `last_seq`) when it is numbered, a few
milliseconds after its write commits, not at the commit itself; a page read in between may
show the post before its event's number, and a client that subscribes with that page's
head then receives the event once more (clients apply events idempotently, by the id they
carry). A writer that dies between its commit and its numbering leaves its events to the next
publish on the topic or to the hubs' periodic `sweep`: they are late, never lost.

The fan-out waits for the numbering, so a rolled-back write never produces a phantom event.
Tests observe what was published with `capture()`.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

from . import conf
from .bus import get_bus, payload
from .events import Event
from .models import StoredEvent, TopicSequence
from .topics import TOPIC_PATTERN

logger = logging.getLogger(__name__)

# The (topic, seq) pairs one call of `publish_together` took, in publishing order.
Taken = list[tuple[str, int]]

_recorders: list[list[tuple[str, Event]]] = []
# Per thread: the durable events published inside a `publish_together` transaction, as
# (topic, event), stored and numbered at its end.
_grouping = threading.local()


def publish(topic: str, event: Event) -> int | None:
    """Emit `event` on `topic` once the caller's transaction commits (at once outside one).

    Returns the durable event's sequence number when it is already taken (called outside a
    transaction), None otherwise (an ephemeral event, or a number still to be taken after the
    caller's commit: `publish_together` reports the numbers of its calls).
    """
    return publish_each([(topic, event)])[0][1]


async def apublish(topic: str, event: Event) -> int | None:
    """`publish` for async code: runs on the gateway's database pool."""
    from . import db

    return await db.run(publish, topic, event)


def publish_many(topics: Iterable[str], event: Event) -> dict[str, int | None]:
    """`publish` of one event on many topics (a notification to each reader's `user:<id>`)
    in the same few queries however many they are; returns each topic's sequence number
    when already taken (see `publish`)."""
    return dict(publish_each((topic, event) for topic in dict.fromkeys(topics)))


def publish_each(items: Iterable[tuple[str, Event]]) -> list[tuple[str, int | None]]:
    """`publish` of several (topic, event) pairs in a fixed number of queries.

    The events of one topic keep the order given. Returns (topic, seq) in the order given,
    seq as `publish` returns it.
    """
    items = list(items)
    for topic, event in items:
        if not isinstance(topic, str) or not TOPIC_PATTERN.match(topic):
            raise ValueError(f"invalid topic {topic!r}")
        if not isinstance(event, Event):
            raise TypeError("publish() takes an instance of a realtime.events.Event subclass")
    grouped = getattr(_grouping, "events", None)
    if grouped is not None:
        # Stored, numbered and fanned out by `publish_together` at the end of its transaction.
        grouped.extend((topic, event) for topic, event in items if event.durable)
        _defer([(topic, event, None) for topic, event in items if not event.durable])
        return [(topic, None) for topic, _ in items]
    durable = [(topic, event) for topic, event in items if event.durable]
    rows = StoredEvent.objects.bulk_create(
        StoredEvent(topic=topic, seq=None, frame=encode(topic, None, event))
        for topic, event in durable
    )
    ids = iter(row.pk for row in rows)
    added = [(topic, event, next(ids) if event.durable else None) for topic, event in items]
    batch = _defer(added)
    return [(topic, batch.numbers.get(pk)) for topic, _, pk in added]


def _defer(added: list[tuple[str, Event, int | None]]) -> _Commit:
    """Hand the events to the current transaction's batch, run after its commit."""
    batch = _open_batch()
    if batch is not None:
        batch.events.extend(added)
        return batch
    batch = _Commit()
    batch.events.extend(added)
    if added:
        transaction.on_commit(batch)  # runs at once outside a transaction: numbers are known
    return batch


class _Commit:
    """The events one transaction (at one savepoint level) published, in order: run after
    its commit, it numbers the durable ones and hands every frame to the bus."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Event, int | None]] = []
        self.numbers: dict[int, int] = {}

    def __call__(self) -> None:
        for recorder in _recorders:
            recorder.extend((topic, event) for topic, event, _ in self.events)
        topics = sorted({topic for topic, _, pk in self.events if pk is not None})
        numbered: list[tuple[int, str, int, str]] = []
        if topics:
            try:
                numbered = _number(topics)
            except Exception:
                # Committed, not yet numbered: the next publish on the topic or a hub's sweep
                # numbers it.
                logger.exception("realtime: numbering failed")
        self.numbers = {pk: seq for pk, _, seq, _ in numbered}
        # In publishing order, each topic's frames in number order (with, before this
        # batch's own, those of other writers that this numbering took).
        waiting: dict[str, list[tuple[int, str]]] = {}
        for _, topic, seq, frame in numbered:
            waiting.setdefault(topic, []).append((seq, frame))
        out: list[tuple[str, str, str]] = []
        for topic, event, pk in self.events:
            if pk is None:
                out.append((topic, "", encode(topic, None, event)))
            elif pk in self.numbers:
                _take_until(out, topic, waiting.get(topic, []), self.numbers[pk])
        for topic, frames in waiting.items():
            _take_until(out, topic, frames, None)
        fan_out_many(out)


def _take_until(
    out: list[tuple[str, str, str]], topic: str, frames: list[tuple[int, str]], last: int | None
) -> None:
    while frames and (last is None or frames[0][0] <= last):
        seq, frame = frames.pop(0)
        out.append((topic, str(seq), frame))


def _open_batch() -> _Commit | None:
    """The batch of the current transaction at this savepoint level, if it has one: events
    published together commit or roll back together, so a transaction numbers each topic once."""
    if not connection.in_atomic_block or not connection.run_on_commit:
        return None
    savepoints, last, _robust = connection.run_on_commit[-1]
    if isinstance(last, _Commit) and savepoints == set(connection.savepoint_ids):
        return last
    return None


def encode(topic: str, seq: int | None, event: Event) -> str:
    """The frame every subscriber receives, encoded once for all of them."""
    frame: dict[str, Any] = {"topic": topic, "type": event.type, "data": event.data()}
    if seq is not None:
        frame["seq"] = seq
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def _number(topics: list[str]) -> list[tuple[int, str, int, str]]:
    """Number the committed, unnumbered events of `topics`: (id, topic, seq, frame) by seq.

    A short transaction of its own, or the last statements of the caller's: lock the topics'
    sequence rows (in sorted order, the one order every numbering follows, so two never
    hold each other's rows), number the waiting events in the order they were written, move
    the sequences on. The lock is taken by the first statement, so the next one reads every
    event committed before it, including the ones the previous holder had not seen; that
    holder's own numbers are already committed. On PostgreSQL the lock and the numbering
    (which moves the sequences on) go to the server together, one round trip; elsewhere,
    three statements.
    """
    sequences = connection.ops.quote_name(TopicSequence._meta.db_table)
    events = connection.ops.quote_name(StoredEvent._meta.db_table)
    marks = ", ".join(["%s"] * len(topics))
    rows = ", ".join(["(%s, 0)"] * len(topics))
    waiting = (
        f"SELECT e.id AS event_id, q.last_seq + row_number() "
        "OVER (PARTITION BY e.topic ORDER BY e.id) AS number "
        f"FROM {events} e JOIN {sequences} q ON q.topic = e.topic "
        f"WHERE e.topic IN ({marks}) AND e.seq IS NULL"
    )
    numbering = (
        f"UPDATE {events} SET seq = n.number, "
        f"frame = substr(frame, 1, length(frame) - 1) || ',\"seq\":' "
        "|| CAST(n.number AS TEXT) || '}' "
        f"FROM n WHERE {events}.id = n.event_id "
        f"RETURNING {events}.id, {events}.topic, {events}.seq, {events}.frame"
    )
    lock = (
        f"INSERT INTO {sequences} (topic, last_seq) VALUES {rows} "
        f"ON CONFLICT (topic) DO UPDATE SET last_seq = {sequences}.last_seq"
    )
    if connection.vendor == "postgresql":
        # Both statements in one round trip, one transaction (or the caller's): each still
        # reads with a snapshot of its own, so the numbering sees what the lock waited for.
        # The numbering and the move of the sequences are one statement.
        with connection.cursor() as cursor:
            # Bound here, not by the server: two statements cannot share a prepared one.
            both = connection.ops.compose_sql(
                f"{lock}; WITH n AS ({waiting}), numbered AS ({numbering}), moved AS ("
                f"UPDATE {sequences} SET last_seq = heads.last FROM (SELECT topic, "
                "max(seq) AS last FROM numbered GROUP BY topic) heads "
                f"WHERE {sequences}.topic = heads.topic) SELECT * FROM numbered",
                topics + topics,
            )
            cursor.execute(both)
            cursor.nextset()
            numbered = _by_topic_and_number(cursor.fetchall())
            heads = _heads(numbered)
    else:
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            cursor.execute(lock, topics)
            cursor.execute(f"WITH n AS ({waiting}) {numbering}", topics)
            numbered = _by_topic_and_number(cursor.fetchall())
            heads = _heads(numbered)
            if heads:
                cases = " ".join(["WHEN %s THEN %s"] * len(heads))
                cursor.execute(
                    f"UPDATE {sequences} SET last_seq = CASE topic {cases} END "
                    f"WHERE topic IN ({', '.join(['%s'] * len(heads))})",
                    [value for topic, (_, last) in heads.items() for value in (topic, last)]
                    + list(heads),
                )
    for topic, (first, last) in heads.items():
        _prune(topic, first, last)
    return numbered


def _by_topic_and_number(rows: list[tuple]) -> list[tuple[int, str, int, str]]:
    return sorted(rows, key=lambda row: (row[1], row[2]))


def _heads(numbered: list[tuple[int, str, int, str]]) -> dict[str, tuple[int, int]]:
    """Each topic's first and last number among `numbered` (sorted by topic and number)."""
    heads: dict[str, tuple[int, int]] = {}
    for _, topic, seq, _ in numbered:
        heads[topic] = (heads.get(topic, (seq, seq))[0], seq)
    return heads


def publish_together(calls: Sequence[Callable[[], object]]) -> list[Taken | Exception]:
    """Run `calls` in one transaction, each in a savepoint of its own, and number the durable
    events they publish at its end: group commit, for a topic's burst of client sends.

    A call that raises is rolled back to its savepoint alone (its rows and its events): its
    outcome is what it raised, and the others still commit. The numbers are taken by the
    transaction's last statements, under the topics' sequence rows, which stay locked only
    until the commit that follows at once: readers see them gapless, in commit order, and
    only once committed, with the rows the calls wrote. Returns, per call, the (topic, seq)
    of the durable events it published, in order, or the exception it raised.
    """
    grouped: list[tuple[str, Event]] = []
    spans: list[tuple[int, int] | Exception] = []
    _grouping.events = grouped
    try:
        with transaction.atomic():
            for call in calls:
                start = len(grouped)
                try:
                    with transaction.atomic():
                        call()
                except Exception as exc:
                    del grouped[start:]
                    spans.append(exc)
                else:
                    spans.append((start, len(grouped)))
            # Every call's events in one insert, numbered by the next statements.
            rows = StoredEvent.objects.bulk_create(
                StoredEvent(topic=topic, seq=None, frame=encode(topic, None, event))
                for topic, event in grouped
            )
            topics = sorted({topic for topic, _ in grouped})
            numbered = _number(topics) if topics else []
    finally:
        del _grouping.events
    numbers = {pk: seq for pk, _, seq, _ in numbered}
    taken = [(topic, numbers.get(row.pk)) for (topic, _), row in zip(grouped, rows, strict=True)]
    for recorder in _recorders:
        recorder.extend(pair for pair, (_, seq) in zip(grouped, taken, strict=True) if seq)
    # With this batch's own, the events of other writers this numbering took, in order, in
    # one trip to the bus.
    fan_out_many([(topic, str(seq), frame) for _, topic, seq, frame in numbered])
    return [
        span
        if isinstance(span, Exception)
        else [(topic, seq) for topic, seq in taken[span[0] : span[1]] if seq is not None]
        for span in spans
    ]


def sweep(seen: int | None = None) -> int:
    """Number the events whose writer committed but never numbered them (it died between
    the two), among those already waiting at the previous sweep (`seen`, the highest
    waiting id it returned), so that live writers are left to number their own.
    Returns the highest waiting id now, for the next sweep."""
    waiting = StoredEvent.objects.filter(seq__isnull=True)
    if seen is not None:
        topics = sorted(set(waiting.filter(pk__lte=seen).values_list("topic", flat=True)))
        if topics:
            for _, topic, seq, frame in _number(topics):
                fan_out(topic, str(seq), frame)
    return waiting.order_by("-pk").values_list("pk", flat=True).first() or 0


def _prune(topic: str, first: int, last: int) -> None:
    """Keep the last `REALTIME_RETENTION` events of the topic, pruning in batches."""
    keep = conf.get("REALTIME_RETENTION")
    batch = max(1, min(100, keep // 10))
    if last > keep and last // batch > (first - 1) // batch:
        StoredEvent.objects.filter(topic=topic, seq__lte=last - keep).delete()


def fan_out(topic: str, marker: str, frame: str) -> None:
    """Hand an encoded frame to every process following `topic`."""
    fan_out_many([(topic, marker, frame)])


def fan_out_many(frames: list[tuple[str, str, str]]) -> None:
    """`fan_out` of (topic, marker, frame) triples, in order, in one trip to the bus: a post
    to a news forum tells each member's `user:<id>` topic, one Redis round trip for all."""
    if not frames:
        return
    try:
        get_bus().publish_many([(topic, payload(marker, frame)) for topic, marker, frame in frames])
    except Exception:
        # The stored events are still replayed; live ephemeral ones are lost, as ephemeral.
        logger.exception("realtime fan-out failed on %s", ", ".join({t for t, _, _ in frames}))


@contextmanager
def capture() -> Iterator[list[tuple[str, Event]]]:
    """Record every event delivered while the block runs, as (topic, event) pairs."""
    recorded: list[tuple[str, Event]] = []
    _recorders.append(recorded)
    try:
        yield recorded
    finally:
        _recorders.remove(recorded)
