"""The hub: one per event loop (one per daphne process), between the bus and the sockets.

It follows each topic once, however many of its sockets subscribe to it, and fans every
frame out in process. Durable frames leave the hub in sequence order: a number that arrives
early waits for the missing ones, which are read back from the outbox if their own fan-out
never comes (the publishing process may have died between its commit and its publish).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from typing import Any

from channels.db import database_sync_to_async

from . import conf, selectors
from .bus import CONTROL, get_bus
from .connection import Connection
from .limits import limiter_for
from .presence import Presence
from .publishing import PRESENCE

logger = logging.getLogger(__name__)


class Feed:
    """One topic as this process follows it."""

    __slots__ = ("delivered", "gap_timer", "pending", "ready", "sockets", "topic", "watchers")

    def __init__(self, topic: str) -> None:
        self.topic = topic
        self.sockets: dict[Connection, None] = {}
        self.watchers: dict[Connection, None] = {}
        self.ready = asyncio.Event()
        # The last seq fanned out, every earlier one included; None until known.
        self.delivered: int | None = None
        self.pending: dict[int, str] = {}
        self.gap_timer: asyncio.TimerHandle | None = None


class Hub:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.listener = get_bus().listener(loop, self.on_message, self.catch_up)
        # Redis for presence and send limits, None with the in-process bus.
        self.redis = get_bus().client()
        self.presence = Presence(self.redis)
        self.limiter = limiter_for(self.redis)
        self.feeds: dict[str, Feed] = {}
        self.connections: dict[Connection, None] = {}
        self.started = asyncio.Event()

    async def start(self) -> None:
        await self.listener.start()
        await self.presence.start()
        self.started.set()

    async def stop(self) -> None:
        await self.presence.stop()
        await self.listener.stop()
        if self.redis is not None:
            await self.redis.aclose()

    # -- following topics ----------------------------------------------------------------

    async def join(self, conn: Connection, topic: str) -> Feed:
        """Add `conn` to the topic's feed, following the topic first if nobody here does."""
        feed = self.feeds.get(topic)
        if feed is None:
            feed = self.feeds[topic] = Feed(topic)
            feed.sockets[conn] = None
            await self.listener.subscribe(topic)
            # Subscribed first, then the baseline: anything committed later arrives live.
            baseline = await database_sync_to_async(selectors.last_seq)(topic)
            feed.delivered = baseline
            self._drain(feed)
            feed.ready.set()
            if not feed.sockets:  # everyone left while the topic was being followed
                self._drop(feed)
        else:
            feed.sockets[conn] = None
            await feed.ready.wait()
        return feed

    def leave(self, conn: Connection, topic: str) -> None:
        feed = self.feeds.get(topic)
        if feed is None:
            return
        feed.sockets.pop(conn, None)
        feed.watchers.pop(conn, None)
        if not feed.sockets and feed.ready.is_set():
            self._drop(feed)

    def _drop(self, feed: Feed) -> None:
        """Stop following a topic nobody here follows any more."""
        del self.feeds[feed.topic]
        if feed.gap_timer is not None:
            feed.gap_timer.cancel()
        self.loop.create_task(self.listener.unsubscribe(feed.topic))

    def watch(self, conn: Connection, topic: str) -> None:
        self.feeds[topic].watchers[conn] = None

    # -- frames from the bus -------------------------------------------------------------

    def on_message(self, channel: str, payload: str) -> None:
        if channel == CONTROL:
            self.on_control(json.loads(payload))
            return
        feed = self.feeds.get(channel)
        if feed is None:
            return
        marker, _, frame = payload.partition("\n")
        if not marker:
            self._fan_out(feed, feed.sockets, None, frame)
        elif marker == PRESENCE:
            self._fan_out(feed, feed.watchers, None, frame)
        else:
            feed.pending[int(marker)] = frame
            self._drain(feed)

    def _fan_out(self, feed: Feed, sockets: dict, seq: int | None, frame: str) -> None:
        for conn in tuple(sockets):
            conn.offer(feed.topic, seq, frame)

    def _drain(self, feed: Feed) -> None:
        """Fan out the pending frames that follow the last delivered one, in order."""
        if feed.delivered is None:
            return
        pending = feed.pending
        while pending:
            seq = feed.delivered + 1
            frame = pending.pop(seq, None)
            if frame is None:
                break
            self._fan_out(feed, feed.sockets, seq, frame)
            feed.delivered = seq
        for seq in [s for s in pending if s <= feed.delivered]:
            del pending[seq]
        if pending and feed.gap_timer is None:
            feed.gap_timer = self.loop.call_later(
                conf.get("REALTIME_GAP_WAIT"), lambda: self.loop.create_task(self._fill(feed))
            )
        elif not pending and feed.gap_timer is not None:
            feed.gap_timer.cancel()
            feed.gap_timer = None

    async def _fill(self, feed: Feed) -> None:
        """Read the missing numbers from the outbox; resync the sockets if they were pruned."""
        feed.gap_timer = None
        if not feed.pending or self.feeds.get(feed.topic) is not feed:
            return
        first_known = min(feed.pending)
        missing = await database_sync_to_async(selectors.frames_between)(
            feed.topic, feed.delivered, first_known - 1
        )
        for seq, frame in missing:
            feed.pending.setdefault(seq, frame)
        if feed.delivered + 1 not in feed.pending:
            for conn in tuple(feed.sockets):
                conn.emit(op="resync", topic=feed.topic, seq=first_known - 1)
            feed.delivered = first_known - 1
        self._drain(feed)

    def catch_up(self) -> None:
        """After the bus was lost for a while: read what each topic committed meanwhile."""
        for feed in list(self.feeds.values()):
            if feed.delivered is not None:
                self.loop.create_task(self._read_after(feed))

    async def _read_after(self, feed: Feed) -> None:
        found = await database_sync_to_async(selectors.frames_between)(feed.topic, feed.delivered)
        for seq, frame in found:
            feed.pending.setdefault(seq, frame)
        self._drain(feed)

    # -- notices to every process --------------------------------------------------------

    def on_control(self, notice: dict[str, Any]) -> None:
        from .gateway import on_access_notice

        if notice.get("kind") == "access":
            user_ids = notice.get("user_ids")
            targets = [
                conn for conn in self.connections if user_ids is None or conn.user_id in user_ids
            ]
            for conn in targets:
                on_access_notice(self, conn)


_hubs: dict[asyncio.AbstractEventLoop, Hub] = {}
# Loops whose server has been asked to stop their hub when it shuts down.
_tied: set[asyncio.AbstractEventLoop] = set()


async def current_hub() -> Hub:
    """The hub of the running loop, started on first use."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = Hub(loop)
        _stop_with_server(loop)
        await hub.start()
    await hub.started.wait()
    return hub


async def release_hub(hub: Hub) -> None:
    """Stop a hub left without sockets (tests open and close many event loops)."""
    if not hub.connections and _hubs.get(hub.loop) is hub:
        await _stop_hub(hub.loop)


async def _stop_hub(loop: asyncio.AbstractEventLoop) -> None:
    hub = _hubs.pop(loop, None)
    if hub is not None:
        await hub.stop()


async def stop_current_hub() -> None:
    """Stop the running loop's hub on the ASGI lifespan's shutdown (see `_stop_with_server`)."""
    logger.info("realtime: the server stops, stopping its hub")
    await _stop_hub(asyncio.get_running_loop())


def _stop_with_server(loop: asyncio.AbstractEventLoop) -> None:
    """Have daphne stop the loop's hub, and wait for it, when the process shuts down.

    Daphne serves no ASGI lifespan, and on SIGTERM it cancels the consumers without their
    `disconnect`, so no socket is left to release the hub: without this its tasks (the
    pub/sub reader, the presence heartbeat) would die pending with the loop. Daphne runs
    its application on its Twisted reactor's asyncio loop; that reactor's shutdown trigger
    waits for the Deferred it is given.
    """
    reactor = sys.modules.get("twisted.internet.reactor")
    if loop in _tied or getattr(reactor, "_asyncioEventloop", None) is not loop:
        return
    from twisted.internet.defer import Deferred

    def on_shutdown() -> Deferred:
        logger.info("realtime: the server stops, stopping its hub")
        return Deferred.fromFuture(loop.create_task(_stop_hub(loop)))

    _tied.add(loop)
    reactor.addSystemEventTrigger("before", "shutdown", on_shutdown)
