"""One WebSocket's side of the gateway: its subscriptions and its outgoing frames.

The hub hands each frame to `offer`, which never waits: the frame goes out at once, or, while
an earlier send of the same socket is still waiting, into a bounded queue its writer drains.
A socket that falls behind keeps a bounded queue (`REALTIME_SOCKET_QUEUE` frames,
`REALTIME_SOCKET_QUEUE_BYTES` bytes): past it, ephemeral frames are dropped, and a durable
topic stops queueing and gets one `resync` (with the seq to continue from) once the queue
has drained. Only a client that does not even read the answers to its own requests is
closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from parcours.errors import ErrorCode, ServiceError
from parcours.policies import Decision

from . import conf, db, selectors, topics
from .limits import retry_after

# Close code for a socket that does not read the answers to its own requests.
CLOSE_TOO_SLOW = 4008
# Answers and errors a socket may have waiting beyond its queue before it is closed.
CONTROL_HEADROOM = 64

Frame = str | bytes

# The server's scope extension that writes a text frame at once, framed once for every socket
# it is sent to (config/sockets.py, under the same name); without it, frames go through ASGI.
WRITE_TEXT = "preau.write_text"


@dataclass(slots=True)
class Subscription:
    topic: topics.Topic
    last_seq: int = 0
    # Frames held while the subscription replays or its access is re-checked; None: live.
    held: list[tuple[int | None, Frame]] | None = field(default_factory=list)
    holds: int = 1
    # Whether ephemeral sends are allowed (None: the subscription suffices).
    may_send: Decision | None = None
    # The socket's budget of ephemeral sends on this topic: tokens, and when last counted.
    tokens: float = -1.0
    counted_at: float = 0.0
    # The last seq dropped while the socket was behind; its resync continues from there.
    skipped_to: int | None = None
    # The session its access was decided in (None: none), and when that access may lapse by
    # time alone (see `parcours.policies.Decision`); `lapse` re-checks it at that instant.
    session_id: int | None = None
    until: datetime | None = None
    lapse: asyncio.TimerHandle | None = None


class Connection:
    __slots__ = (
        "_close",
        "_op_at",
        "_op_tokens",
        "_out",
        "_queue_bytes",
        "_queue_limit",
        "_queued_bytes",
        "_send",
        "_write_text",
        "_writer",
        "closed",
        "id",
        "lagging",
        "name",
        "subscriptions",
        "user",
        "user_id",
    )

    def __init__(
        self,
        *,
        id: str,
        user: Any,
        name: str,
        send: Callable[[Frame], Coroutine],
        close: Callable[[int], Awaitable[None]],
        write_text: Callable[[str], bool] | None = None,
    ) -> None:
        self.id = id
        self.user, self.user_id, self.name = user, user.pk, name
        self._send, self._close = send, close
        self._write_text = write_text
        self.subscriptions: dict[str, Subscription] = {}
        # Frames waiting behind a send that had to wait; created with that send's writer (most
        # sockets never wait, and an empty deque costs as much as a small socket).
        self._out: deque[Frame] | None = None
        self._queued_bytes = 0
        self._writer: asyncio.Task | None = None
        self._queue_limit = conf.get("REALTIME_SOCKET_QUEUE")
        self._queue_bytes = conf.get("REALTIME_SOCKET_QUEUE_BYTES")
        # Topics whose durable frames were dropped while the socket was behind.
        self.lagging: dict[str, None] = {}
        self.closed = False
        # The socket's budget of subscribe/unsubscribe ops: tokens, and when last counted.
        self._op_tokens = float(conf.get("REALTIME_SUBSCRIBE_BURST"))
        self._op_at = time.monotonic()

    # -- outgoing ------------------------------------------------------------------------

    def offer(self, topic: str, seq: int | None, frame: Frame) -> None:
        """Take a frame from the hub: held, dropped as seen or as too late, or sent."""
        sub = self.subscriptions.get(topic)
        if sub is None:
            return
        if sub.held is not None:
            if len(sub.held) < self._queue_limit:
                sub.held.append((seq, frame))
            elif seq is not None:
                self._fall_behind(topic, sub, seq)
            return
        if seq is None:
            if not self._full():
                self._queue(frame)
            return
        self._durable(topic, sub, seq, frame)

    def _durable(self, topic: str, sub: Subscription, seq: int, frame: Frame) -> None:
        if seq <= sub.last_seq:
            return
        if topic in self.lagging or self._full():
            self._fall_behind(topic, sub, seq)
            return
        sub.last_seq = seq
        self._queue(frame)

    def _fall_behind(self, topic: str, sub: Subscription, seq: int) -> None:
        sub.skipped_to = max(seq, sub.skipped_to or 0)
        self.lagging[topic] = None

    def _full(self) -> bool:
        out = self._out
        return out is not None and (
            len(out) >= self._queue_limit or self._queued_bytes >= self._queue_bytes
        )

    def emit(self, **frame: Any) -> None:
        self.push(json.dumps(frame, ensure_ascii=False, separators=(",", ":")))

    def error(self, exc: ServiceError, *, ref: Any = None, topic: str | None = None) -> None:
        frame: dict[str, Any] = {"op": "error", "code": str(exc.code), "message": exc.message}
        if ref is not None:
            frame["ref"] = ref
        if topic is not None:
            frame["topic"] = topic
        if exc.details:
            frame["details"] = exc.details
        self.emit(**frame)

    def push(self, frame: Frame) -> None:
        """Send an answer the client asked for: never dropped, but bounded all the same."""
        if self._out is not None and len(self._out) >= self._queue_limit + CONTROL_HEADROOM:
            self.closed = True
            self._out.clear()
            self._queued_bytes = 0
            asyncio.get_running_loop().create_task(self._close(CLOSE_TOO_SLOW))
            return
        self._queue(frame)

    def _queue(self, frame: Frame) -> None:
        if self.closed:
            return
        if self._out is None:
            self._send_now(frame)
            return
        self._out.append(frame)
        self._queued_bytes += len(frame)

    def _send_now(self, frame: Frame) -> None:
        """Send at once; only if the send has to wait does a writer task take over.

        The server's own writer (`WRITE_TEXT`) frames a fan-out's text once for every socket
        and writes it without an ASGI round; otherwise the server's ASGI send runs, and it
        rarely waits either: a fan-out to a thousand sockets costs no task at all. A send
        that does wait (a transport applying back-pressure) is finished by `_write`, and
        later frames queue behind it.
        """
        if self._write_text is not None and isinstance(frame, str) and self._write_text(frame):
            return
        sending = self._send(frame)
        try:
            waiting_on = sending.send(None)
        except StopIteration:
            return
        except Exception:
            self.closed = True
            return
        self._out = deque()
        self._writer = asyncio.get_running_loop().create_task(self._write(sending, waiting_on))

    async def _write(self, sending: Coroutine, waiting_on: Any) -> None:
        try:
            await _finish(sending, waiting_on)
            while self._out:
                frame = self._out.popleft()
                self._queued_bytes -= len(frame)
                await self._send(frame)
        except Exception:  # the socket went away while writing
            self.closed = True
        finally:
            self._writer, self._out, self._queued_bytes = None, None, 0
        self._resync_lagging()

    def _resync_lagging(self) -> None:
        """The queue has drained: each topic that dropped frames continues from a resync."""
        lagging, self.lagging = self.lagging, {}
        for topic in lagging:
            sub = self.subscriptions.get(topic)
            if sub is None or sub.skipped_to is None:
                continue
            sub.last_seq, sub.skipped_to = max(sub.last_seq, sub.skipped_to), None
            self.emit(op="resync", topic=topic, seq=sub.last_seq)

    # -- ephemeral sends -----------------------------------------------------------------

    def take_token(self, sub: Subscription, spec: topics.Ephemeral) -> None:
        """Spend one of the socket's ephemeral sends on the topic, or refuse the frame.

        Kept in the process, per socket: the fast tier asks nothing of Redis or the database.
        """
        rate = spec.rate or conf.get("REALTIME_EPHEMERAL_RATE")
        burst = spec.burst or conf.get("REALTIME_EPHEMERAL_BURST")
        now = time.monotonic()
        tokens = burst if sub.tokens < 0 else sub.tokens + (now - sub.counted_at) * rate
        tokens = min(burst, tokens)
        if tokens < 1:
            raise ServiceError(
                ErrorCode.RATE_LIMITED,
                "Trop d'envois rapides sur ce sujet : patientez un instant.",
                {"retry_after": retry_after((1 - tokens) / rate)},
            )
        sub.tokens, sub.counted_at = tokens - 1, now

    def take_op_token(self) -> None:
        """Spend one subscribe/unsubscribe op, or refuse it: each one reads the database
        (authorisation, replay), so one socket may not turn them into a flood."""
        rate = conf.get("REALTIME_SUBSCRIBE_RATE")
        burst = conf.get("REALTIME_SUBSCRIBE_BURST")
        now = time.monotonic()
        tokens = min(burst, self._op_tokens + (now - self._op_at) * rate)
        self._op_at = now
        if tokens < 1:
            self._op_tokens = tokens
            raise ServiceError(
                ErrorCode.RATE_LIMITED,
                "Trop d'abonnements et de désabonnements : patientez un instant.",
                {"retry_after": retry_after((1 - tokens) / rate)},
            )
        self._op_tokens = tokens - 1

    # -- subscriptions -------------------------------------------------------------------

    def hold(self, sub: Subscription) -> None:
        """Keep `sub`'s live frames back until `release` (replay, access re-check)."""
        sub.holds += 1
        if sub.held is None:
            sub.held = []

    def release(self, sub: Subscription) -> None:
        """Deliver the frames held for `sub` that it has not seen, then go live."""
        sub.holds -= 1
        if sub.holds:
            return
        held, sub.held = sub.held or [], None
        for seq, frame in held:
            self.offer(str(sub.topic), seq, frame)
        if self.lagging and self._out is None:
            self._resync_lagging()

    async def replay(self, sub: Subscription, since: int) -> None:
        """Send what the client missed after `since`, from the outbox."""
        topic = str(sub.topic)
        found = await db.run(selectors.replay, topic, since)
        if found.resync:
            # The client reloads its state and follows the real head, even one behind its
            # `since` (a `since` from another deployment, or a restored database).
            self.emit(op="resync", topic=topic, seq=found.last_seq)
            sub.last_seq = found.last_seq
            return
        for seq, frame in found.frames:
            self._durable(topic, sub, seq, frame)

    async def authorize(self, sub: Subscription) -> None:
        """Ask the topic kind again whether this socket may follow it (and send on it)."""
        read, send = await db.run(topics.access, self.user, sub.topic)
        if not read:
            raise ServiceError(read.code or ErrorCode.FORBIDDEN, read.message)
        sub.may_send = send
        sub.session_id = read.session_id
        instants = [d.until for d in (read, send) if d is not None and d.until is not None]
        sub.until = min(instants, default=None)


async def _finish(sending: Coroutine, waiting_on: Any) -> None:
    """Drive a coroutine that suspended outside any task, as a task would have."""
    try:
        while True:
            if waiting_on is None:
                await asyncio.sleep(0)
            else:
                # The future still carries the mark of the yield we took by hand; clear it
                # so that this task may wait on it (the mark is what a task checks).
                waiting_on._asyncio_future_blocking = False
                with contextlib.suppress(Exception):
                    await waiting_on  # its outcome reaches `sending` when resumed
            try:
                waiting_on = sending.send(None)
            except StopIteration:
                return
    finally:
        sending.close()
