"""The hub: one per event loop (one per daphne process), between the bus and the sockets.

It follows each topic once, however many of its sockets (and server peers, see `peers.py`)
subscribe to it, and fans every frame out in process, to every socket or to the ones the
payload's marker names (see `bus.py`). Durable frames leave the hub in sequence order: a
number that arrives early waits for the missing ones, which are read back from the outbox if
their own fan-out never comes (the publishing process may have died between its commit and
its publish). Every socket gets an id, `<hub tag>.<n>`, that any process can address.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import sys
import uuid
from typing import TYPE_CHECKING, Any

from parcours.errors import ErrorCode, ServiceError

from . import conf, db, selectors
from .bus import CONTROL, EXCEPT, PRESENCE, TO, TO_USER, Payload, get_bus, split
from .connection import Connection
from .events import PresenceCount
from .limits import limiter_for, sockets_for
from .presence import PROCESS, Presence
from .publishing import encode

if TYPE_CHECKING:
    from .peers import Peer

logger = logging.getLogger(__name__)


class Feed:
    """One topic as this process follows it."""

    __slots__ = (
        "counted",
        "delivered",
        "failed",
        "gap_timer",
        "last_count",
        "peers",
        "pending",
        "ready",
        "recount",
        "recount_again",
        "sockets",
        "topic",
        "watchers",
    )

    def __init__(self, topic: str) -> None:
        self.topic = topic
        self.sockets: dict[Connection, None] = {}
        self.watchers: dict[Connection, None] = {}
        # Server peers following the topic, by name (ephemeral frames only).
        self.peers: dict[str, Peer] = {}
        self.ready = asyncio.Event()
        # The last seq fanned out, every earlier one included; None until known.
        self.delivered: int | None = None
        self.pending: dict[int, str] = {}
        self.gap_timer: asyncio.TimerHandle | None = None
        # Set when following the topic failed: the sockets waiting for it are refused.
        self.failed = False
        # A kind whose presence is a count: its watchers get the number, never who came.
        self.counted = False
        self.last_count: int | None = None
        self.recount: asyncio.Task | None = None
        self.recount_again = False


class Hub:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.listener = get_bus().listener(loop, self.on_message, self.catch_up)
        # Redis for presence and send limits, None with the in-process bus.
        self.redis = get_bus().client()
        self.presence = Presence(self.redis)
        self.limiter = limiter_for(self.redis)
        # Each person's open sockets, against REALTIME_MAX_SOCKETS_PER_USER.
        self.sockets = sockets_for(self.redis, PROCESS)
        self.feeds: dict[str, Feed] = {}
        # This process's sockets by id: where a frame addressed to one of them goes.
        self.connections: dict[str, Connection] = {}
        self.tag = uuid.uuid4().hex[:8]
        self._numbers = itertools.count(1)
        self.started = asyncio.Event()
        self.failed = False
        self.stopped = False
        self.sweeper: asyncio.Task | None = None

    async def start(self) -> None:
        await self.listener.start()
        await self.presence.start()
        await self.sockets.start()
        self.sweeper = self.loop.create_task(self._sweep())
        self.started.set()

    async def stop(self) -> None:
        self.stopped = True
        if self.sweeper is not None:
            self.sweeper.cancel()
        await self.sockets.stop()
        await self.presence.stop()
        await self.listener.stop()
        if self.redis is not None:
            from . import stores

            await stores.close_loop_clients()

    def new_connection_id(self) -> str:
        return f"{self.tag}.{next(self._numbers)}"

    async def publish(self, channel: str, data: Payload) -> None:
        """Hand a payload to the bus from the event loop, without blocking it."""
        if self.redis is None:
            get_bus().publish(channel, data)
        else:
            await self.redis.publish(get_bus().channel_name(channel), data)

    # -- following topics ----------------------------------------------------------------

    async def join(self, conn: Connection, topic: str) -> Feed:
        """Add `conn` to the topic's feed, following the topic first if nobody here does."""
        return await self._enter(topic, lambda feed: feed.sockets.__setitem__(conn, None))

    async def join_peer(self, peer: Peer) -> Feed:
        return await self._enter(peer.topic, lambda feed: feed.peers.__setitem__(peer.name, peer))

    async def _enter(self, topic: str, add) -> Feed:
        """The topic's feed with a member added, following the topic first if need be.

        If following fails (Redis or the database away), the feed is removed at once and
        every member waiting for it is refused: the next subscriber starts afresh.
        """
        feed = self.feeds.get(topic)
        if feed is not None:
            add(feed)
            await feed.ready.wait()
            if feed.failed:
                raise ServiceError(ErrorCode.INTERNAL, "Sujet momentanément indisponible.")
            return feed
        feed = self.feeds[topic] = Feed(topic)
        add(feed)
        try:
            await self.listener.acquire(topic)
            try:
                # Subscribed first, then the baseline: anything committed later arrives live.
                feed.delivered = await db.run(selectors.last_seq, topic)
            except BaseException:
                self.listener.release(topic)
                raise
        except BaseException:
            feed.failed = True
            feed.ready.set()
            if self.feeds.get(topic) is feed:
                del self.feeds[topic]
            raise
        self._drain(feed)
        feed.ready.set()
        self._drop_if_empty(feed)  # everyone may have left while the topic was followed
        return feed

    def leave(self, conn: Connection, topic: str) -> None:
        feed = self.feeds.get(topic)
        if feed is None or conn not in feed.sockets:
            return
        del feed.sockets[conn]
        feed.watchers.pop(conn, None)
        self._drop_if_empty(feed)

    def leave_peer(self, peer: Peer) -> None:
        feed = self.feeds.get(peer.topic)
        if feed is not None and feed.peers.get(peer.name) is peer:
            del feed.peers[peer.name]
            self._drop_if_empty(feed)

    def _drop_if_empty(self, feed: Feed) -> None:
        """Stop following a topic nobody here follows any more."""
        if feed.sockets or feed.peers or not feed.ready.is_set():
            return
        if self.feeds.get(feed.topic) is feed:
            del self.feeds[feed.topic]
        if feed.gap_timer is not None:
            feed.gap_timer.cancel()
        if feed.recount is not None:
            feed.recount.cancel()
        self.listener.release(feed.topic)

    def watch(self, conn: Connection, topic: str, *, named: bool = True) -> None:
        feed = self.feeds[topic]
        feed.watchers[conn] = None
        feed.counted = not named

    # -- frames from the bus -------------------------------------------------------------

    def on_message(self, channel: str, data: Payload) -> None:
        if channel == CONTROL:
            self.on_control(json.loads(data))
            return
        feed = self.feeds.get(channel)
        if feed is None:
            return
        marker, frame = split(data)
        head = marker[:1]
        if not marker:
            self._fan_out(feed, feed.sockets, frame)
            self._fan_out(feed, feed.peers.values(), frame)
        elif head.isdigit():
            feed.pending[int(marker)] = frame
            self._drain(feed)
        elif head == EXCEPT:
            sender = marker[1:]
            for member in (*feed.sockets, *feed.peers.values()):
                if member.id != sender:
                    member.offer(channel, None, frame)
        elif head == TO:
            target = self.connections.get(marker[1:])
            if target is not None and target in feed.sockets:
                target.offer(channel, None, frame)
            elif (peer := feed.peers.get(marker[1:])) is not None:
                peer.offer(channel, None, frame)
        elif head == TO_USER:
            user_id = int(marker[1:])
            self._fan_out(feed, [c for c in feed.sockets if c.user_id == user_id], frame)
        elif marker == PRESENCE:
            if feed.counted:
                self._recount(feed)
            else:
                self._fan_out(feed, feed.watchers, frame)

    def _recount(self, feed: Feed) -> None:
        """Someone came or went on a counted topic: send its watchers the new number (one
        count at a time per topic; changes meanwhile are gathered into the next)."""
        if feed.recount is not None and not feed.recount.done():
            feed.recount_again = True
            return
        feed.recount = self.loop.create_task(self._send_count(feed))

    async def _send_count(self, feed: Feed) -> None:
        while True:
            feed.recount_again = False
            try:
                count = len(await self.presence.members(feed.topic))
            except Exception:  # Redis away: the next arrival or departure counts again
                logger.warning("realtime: presence of %s not counted", feed.topic)
                return
            if count != feed.last_count:
                feed.last_count = count
                frame = encode(feed.topic, None, PresenceCount(count=count))
                self._fan_out(feed, feed.watchers, frame)
            if not feed.recount_again:
                return

    def _fan_out(self, feed: Feed, members, frame: Payload, seq: int | None = None) -> None:
        for member in tuple(members):
            member.offer(feed.topic, seq, frame)

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
            self._fan_out(feed, feed.sockets, frame, seq)
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
        missing = await db.run(
            selectors.frames_between, feed.topic, feed.delivered, first_known - 1
        )
        for seq, frame in missing:
            feed.pending.setdefault(seq, frame)
        if feed.delivered + 1 not in feed.pending:
            for conn in tuple(feed.sockets):
                conn.emit(op="resync", topic=feed.topic, seq=first_known - 1)
            feed.delivered = first_known - 1
        self._drain(feed)

    def catch_up(self) -> None:
        """After the bus was lost for a while: read what each topic committed meanwhile.

        Access changes broadcast meanwhile were lost with it: every subscription is asked
        again first (its frames held until answered), so nobody removed in the meantime
        receives what was written after.
        """
        from .gateway import on_access_notice

        on_access_notice(self, {"kind": "access", "session_id": None, "user_ids": None})
        for feed in list(self.feeds.values()):
            if feed.delivered is not None:
                self.loop.create_task(self._read_after(feed))

    async def _read_after(self, feed: Feed) -> None:
        found = await db.run(selectors.frames_between, feed.topic, feed.delivered)
        for seq, frame in found:
            feed.pending.setdefault(seq, frame)
        self._drain(feed)

    async def _sweep(self) -> None:
        """Number, every `REALTIME_SWEEP_EVERY` seconds, the events whose writer committed
        them but died before numbering them (see `publishing.sweep`)."""
        from .publishing import sweep

        seen = None
        while True:
            await asyncio.sleep(conf.get("REALTIME_SWEEP_EVERY"))
            try:
                seen = await db.run(sweep, seen)
            except Exception:
                logger.exception("realtime: the outbox sweep failed")

    # -- notices to every process --------------------------------------------------------

    def on_control(self, notice: dict[str, Any]) -> None:
        from .gateway import on_access_notice

        if notice.get("kind") == "access":
            on_access_notice(self, notice)


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
        try:
            await hub.start()
        except BaseException:
            # Nothing half-started stays behind: the sockets waiting for it are refused, the
            # next one starts a hub afresh.
            hub.failed = True
            hub.started.set()
            if _hubs.get(loop) is hub:
                del _hubs[loop]
            with contextlib.suppress(Exception):
                await hub.stop()
            raise
    await hub.started.wait()
    if hub.failed:
        raise ServiceError(ErrorCode.UNAVAILABLE, "Le direct est momentanément indisponible.")
    return hub


async def release_hub(hub: Hub) -> None:
    """Stop a hub left without sockets or peers (tests open and close many event loops)."""
    if not hub.connections and not hub.feeds and _hubs.get(hub.loop) is hub:
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
