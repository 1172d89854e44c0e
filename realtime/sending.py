"""A client's `send`, by tier.

Durable: the kind's handler runs on the database pool, behind the shared send limit, and calls
a service that publishes; the ack carries the seq that publish took. The sends waiting for one
topic in a process are committed together (`TopicWriter`). Ephemeral: nothing of the
database: the subscription (and `authorize_send`, asked when it began) is the permission, a
per-socket budget the limit, and the frame is relayed, or given to the kind's async handler.
A handler is looked up in the kind's tables, never built from the client's type.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable

from pydantic import ValidationError

from parcours.errors import ErrorCode, ServiceError

from . import db, publishing, topics
from .connection import Connection, Subscription
from .hub import Hub
from .relaying import deliver


def subscription_for(conn: Connection, topic: str) -> Subscription:
    sub = conn.subscriptions.get(topic)
    if sub is None:
        topics.parse_topic(topic)
        raise ServiceError(
            ErrorCode.FORBIDDEN, "Abonnez-vous au sujet avant d'y envoyer.", {"field": "topic"}
        )
    return sub


def _invalid_data(exc: ValidationError) -> ServiceError:
    """A handler that lets its event model validate `data`: name the field as the client sent it."""
    first = exc.errors()[0]
    field = ".".join(["data", *(str(part) for part in first["loc"])])
    return ServiceError(
        ErrorCode.INVALID, f"Champ « {field} » invalide : {first['msg']}", {"field": field}
    )


async def send_durable(
    hub: Hub, conn: Connection, sub: Subscription, event_type: str, data: dict
) -> int | None:
    """Run the durable handler; returns the seq of the last event it published on the topic."""
    handler = sub.topic.kind.durable.get(event_type)
    if handler is None:
        raise topics.refused_type(event_type)
    topic = str(sub.topic)
    await hub.limiter.take(conn.user_id, topic)
    sender = topics.Sender(conn.user, conn.id, sub.topic)
    try:
        taken = await _writer(hub, topic).send(lambda: handler(sender, data))
    except ValidationError as exc:
        raise _invalid_data(exc) from None
    return next((seq for t, seq in reversed(taken) if t == topic), None)


# Sends one transaction commits at most: a burst larger than this takes several.
BATCH = 64
# Batches of one topic in flight at once in a process. One: the sends that arrive while it
# commits make the next, larger batch; the other processes' batches take turns with it on
# the topic's row. Two or three per process made smaller batches that queued on that row
# (bench/durable_topic.py, 30 senders, two processes: 488-521 events/s at most against
# 580-632 with one).
BATCHES_PER_TOPIC = 1

_writers: weakref.WeakKeyDictionary[Hub, dict[str, TopicWriter]] = weakref.WeakKeyDictionary()


def _writer(hub: Hub, topic: str) -> TopicWriter:
    writers = _writers.setdefault(hub, {})
    writer = writers.get(topic)
    if writer is None:
        writer = writers[topic] = TopicWriter(topic, writers)
    return writer


Waiting = tuple[Callable[[], object], asyncio.Future]


class TopicWriter:
    """The durable sends on one topic in this process, committed in batches (group commit).

    While batches run on the database pool, the sends that arrive wait; the next batch takes
    them all, in one transaction (`publishing.publish_together`). Under load the sends of a
    class share their transactions and round trips; alone, a send is its own batch at once.
    A socket's sends are read one at a time, so its events keep their order. The writer
    leaves its table when nothing waits.
    """

    def __init__(self, topic: str, writers: dict[str, TopicWriter]) -> None:
        self.topic = topic
        self.writers = writers
        self.waiting: list[Waiting] = []
        self.batches: set[asyncio.Task] = set()

    async def send(self, call: Callable[[], object]) -> publishing.Taken:
        """Run `call` in one of the topic's next batches; the (topic, seq) its events took
        once committed, or what it raised."""
        done = asyncio.get_running_loop().create_future()
        self.waiting.append((call, done))
        if len(self.batches) < BATCHES_PER_TOPIC:
            self.batches.add(asyncio.create_task(self._drain()))
        return await done

    async def _drain(self) -> None:
        batch: list[Waiting] = []
        try:
            while self.waiting:
                batch, self.waiting = self.waiting[:BATCH], self.waiting[BATCH:]
                try:
                    outcomes = await db.run(
                        publishing.publish_together, [call for call, _ in batch]
                    )
                except Exception as exc:  # the transaction itself failed: nothing committed
                    outcomes = [exc] * len(batch)
                for (_, done), outcome in zip(batch, outcomes, strict=True):
                    if done.done():  # its socket went away meanwhile
                        continue
                    if isinstance(outcome, Exception):
                        done.set_exception(outcome)
                    else:
                        done.set_result(outcome)
                batch = []
        finally:
            # Cancelled with its loop: whoever still waits for it is told so, not left hanging.
            self.batches.discard(asyncio.current_task())
            abandoned = batch if self.batches else [*batch, *self.waiting]
            for _, done in abandoned:
                done.cancel()
            if not self.batches:
                self.waiting = []
                if self.writers.get(self.topic) is self:
                    del self.writers[self.topic]


async def send_ephemeral(
    conn: Connection,
    sub: Subscription,
    spec: topics.Ephemeral,
    event_type: str,
    data: dict | bytes,
    *,
    to: str | None,
    size: int,
) -> None:
    """Relay the frame (or run the kind's async handler) on the event loop."""
    if sub.may_send is not None and not sub.may_send:
        raise ServiceError(sub.may_send.code or ErrorCode.FORBIDDEN, sub.may_send.message)
    if size > spec.max_bytes:
        raise ServiceError(
            ErrorCode.TOO_LARGE,
            f"Trame trop volumineuse pour « {event_type} ».",
            {"max_bytes": spec.max_bytes},
        )
    if isinstance(data, bytes) and not spec.binary:
        raise ServiceError(
            ErrorCode.INVALID, f"« {event_type} » s'envoie en trame texte JSON.", {"field": "type"}
        )
    if to is not None and not spec.directed:
        raise ServiceError(
            ErrorCode.INVALID,
            f"« {event_type} » ne s'adresse pas à un destinataire.",
            {"field": "to"},
        )
    conn.take_token(sub, spec)
    sender = topics.Sender(conn.user, conn.id, sub.topic)
    if spec.handler is None:
        await deliver(
            str(sub.topic),
            event_type,
            data,
            origin=conn.id,
            user_id=conn.user_id,
            to=to,
            echo=spec.echo,
        )
        return
    try:
        await spec.handler(sender, data)
    except ValidationError as exc:
        raise _invalid_data(exc) from None
