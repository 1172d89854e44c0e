"""One WebSocket's side of the gateway: its subscriptions and its outgoing frames.

The hub hands each frame to `offer`, which never waits: the frame goes out at once, or, while
an earlier send of the same socket is still waiting, into a bounded queue its writer drains.
A socket whose queue overflows is too slow to follow; it is closed (the client resumes with
`since`) rather than allowed to hold up the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from parcours.errors import ErrorCode, ServiceError

from . import conf, db, selectors, topics

# Close code for a socket too slow to keep up; the client reconnects and resumes.
CLOSE_TOO_SLOW = 4008


@dataclass
class Subscription:
    topic: topics.Topic
    last_seq: int = 0
    # Frames held while the subscription replays or its access is re-checked; None: live.
    held: list[tuple[int | None, str]] | None = field(default_factory=list)
    holds: int = 1


class Connection:
    def __init__(
        self,
        *,
        user: Any,
        name: str,
        send: Callable[[str], Coroutine],
        close: Callable[[int], Awaitable[None]],
    ) -> None:
        self.user, self.user_id, self.name = user, user.pk, name
        self._send, self._close = send, close
        self.subscriptions: dict[str, Subscription] = {}
        self._out: deque[str] = deque()
        self._writer: asyncio.Task | None = None
        self._queue_limit = conf.get("REALTIME_SOCKET_QUEUE")
        self.closed = False

    # -- outgoing ------------------------------------------------------------------------

    def offer(self, topic: str, seq: int | None, frame: str) -> None:
        """Take a frame from the hub: held, dropped as already seen, or queued."""
        sub = self.subscriptions.get(topic)
        if sub is None:
            return
        if sub.held is not None:
            sub.held.append((seq, frame))
            return
        if seq is not None:
            if seq <= sub.last_seq:
                return
            sub.last_seq = seq
        self.push(frame)

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

    def push(self, frame: str) -> None:
        if self.closed:
            return
        if self._writer is None and not self._out:
            self._send_now(frame)
            return
        if len(self._out) >= self._queue_limit:
            self.closed = True
            self._out.clear()
            asyncio.get_running_loop().create_task(self._close(CLOSE_TOO_SLOW))
            return
        self._out.append(frame)

    def _send_now(self, frame: str) -> None:
        """Run the server's send at once; only if it has to wait does a writer task take over.

        Daphne's send never waits, so a fan-out to a thousand sockets costs no task at all;
        a send that does wait (a transport applying back-pressure) is finished by
        `_write`, and later frames queue behind it.
        """
        sending = self._send(frame)
        try:
            waiting_on = sending.send(None)
        except StopIteration:
            return
        except Exception:
            self.closed = True
            return
        self._writer = asyncio.get_running_loop().create_task(self._write(sending, waiting_on))

    async def _write(self, sending: Coroutine, waiting_on: Any) -> None:
        try:
            await _finish(sending, waiting_on)
            while self._out:
                await self._send(self._out.popleft())
        except Exception:  # the socket went away while writing
            self.closed = True
        finally:
            self._writer = None

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

    async def replay(self, sub: Subscription, since: int) -> None:
        """Send what the client missed after `since`, from the outbox."""
        found = await db.run(selectors.replay, str(sub.topic), since)
        if found.resync:
            # The client reloads its state and follows the real head, even one behind its
            # `since` (a `since` from another deployment, or a restored database).
            self.emit(op="resync", topic=str(sub.topic), seq=found.last_seq)
            sub.last_seq = found.last_seq
            return
        for _seq, frame in found.frames:
            self.push(frame)
        sub.last_seq = max(sub.last_seq, found.last_seq)

    async def authorize(self, topic: topics.Topic) -> None:
        decision = await db.run(topics.authorize, self.user, topic)
        if not decision:
            raise ServiceError(decision.code or ErrorCode.FORBIDDEN, decision.message)


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
