"""How frames travel between processes.

One process (the embedded default): straight to the hubs of this process. Several processes
(`REDIS_URL` set): Redis pub/sub, one channel per topic, which each process subscribes to once
however many of its sockets follow the topic. Publishers call `publish` from any thread.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from collections.abc import Callable
from functools import cache

from django.conf import settings

Payload = str | bytes
OnMessage = Callable[[str, Payload], None]
OnReconnect = Callable[[], None]

# The channel every process listens to for access changes and other gateway notices.
CONTROL = "control"

# A payload on a topic's channel is a marker line, then the frame. The marker says who gets
# it: a seq (durable, in order), PRESENCE (the topic's presence watchers), nothing (every
# socket), EXCEPT + a connection id (all but the sender), TO + an id (one socket, or one
# server peer by name), TO_USER + a user id (that person's sockets). A marker that starts
# with BINARY carries a binary frame.
PRESENCE = "p"
EXCEPT = "-"
TO = ">"
TO_USER = "@"
BINARY = "b"


def payload(marker: str, frame: Payload) -> Payload:
    if isinstance(frame, bytes):
        return f"{BINARY}{marker}\n".encode() + frame
    return f"{marker}\n{frame}"


def split(data: Payload) -> tuple[str, Payload]:
    """The marker (without BINARY) and the frame of a payload, text decoded once."""
    if isinstance(data, str):
        marker, _, frame = data.partition("\n")
        return marker, frame
    raw_marker, _, raw = data.partition(b"\n")
    marker = raw_marker.decode()
    if marker.startswith(BINARY):
        return marker[1:], raw
    return marker, raw.decode()


logger = logging.getLogger(__name__)


class MemoryListener:
    """A hub's view of the in-process bus: every published frame, on the hub's own loop."""

    def __init__(self, bus: MemoryBus, loop: asyncio.AbstractEventLoop, on_message: OnMessage):
        self.bus, self.loop, self.on_message = bus, loop, on_message

    async def start(self) -> None:
        self.bus.add(self)

    async def stop(self) -> None:
        self.bus.remove(self)

    async def acquire(self, channel: str) -> None:
        """Nothing to do: every frame of this process reaches every hub of this process."""

    def release(self, channel: str) -> None:
        """See `acquire`."""


class MemoryBus:
    def __init__(self) -> None:
        self._listeners: set[MemoryListener] = set()
        self._lock = threading.Lock()

    def add(self, listener: MemoryListener) -> None:
        with self._lock:
            self._listeners.add(listener)

    def remove(self, listener: MemoryListener) -> None:
        with self._lock:
            self._listeners.discard(listener)

    def listener(
        self, loop: asyncio.AbstractEventLoop, on_message: OnMessage, on_reconnect: OnReconnect
    ) -> MemoryListener:
        return MemoryListener(self, loop, on_message)

    def client(self) -> None:
        """No store: one process keeps presence and send limits in memory."""

    def publish_many(self, items: list[tuple[str, Payload]]) -> None:
        for channel, data in items:
            self.publish(channel, data)

    def publish(self, channel: str, payload: Payload) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                # A fresh context: the publisher's (often asgiref's sync thread) must not
                # leak into the hub, where it would make database calls look re-entrant.
                listener.loop.call_soon_threadsafe(
                    listener.on_message, channel, payload, context=contextvars.Context()
                )
            except RuntimeError:  # that loop has closed: its hub is gone
                self.remove(listener)


class _Channel:
    """How many feeds of a hub follow one Redis channel, and whether Redis has it."""

    __slots__ = ("lock", "subscribed", "users", "wanted")

    def __init__(self) -> None:
        self.wanted = 0  # feeds following the channel
        self.users = 0  # coroutines and tasks that still hold this record
        self.subscribed = False
        self.lock = asyncio.Lock()


class RedisListener:
    """One Redis pub/sub connection per hub, subscribed once per followed topic.

    Each channel counts the feeds that follow it; SUBSCRIBE and UNSUBSCRIBE of one channel
    are sent one at a time, each bringing Redis to what the count wants at that moment, so
    a join queued behind a leave can never be undone by the leave's UNSUBSCRIBE.
    If the connection drops, redis-py reconnects and subscribes again to every channel;
    `on_reconnect` then lets the hub read from the outbox what was committed meanwhile.
    """

    def __init__(self, bus: RedisBus, on_message: OnMessage, on_reconnect: OnReconnect) -> None:
        import redis.asyncio

        self.bus, self.on_message, self.on_reconnect = bus, on_message, on_reconnect
        self.client = redis.asyncio.Redis.from_url(bus.url, socket_connect_timeout=1)
        self.pubsub = self.client.pubsub()
        self.confirmations: dict[bytes, list[asyncio.Future]] = {}
        self.channels: dict[str, _Channel] = {}
        self.releases: set[asyncio.Task] = set()
        self.reader: asyncio.Task | None = None
        self.retry: asyncio.Task | None = None

    async def start(self) -> None:
        """Follow the control channel; if Redis is away, keep trying in the background (the
        hub serves meanwhile: following a topic answers `unavailable`)."""
        try:
            await self.acquire(CONTROL)
        except Exception as exc:
            logger.warning("realtime: Redis unreachable (%s); retrying in the background", exc)
            self.retry = asyncio.create_task(self._acquire_control_later())

    async def _acquire_control_later(self) -> None:
        while True:
            await asyncio.sleep(1)
            try:
                await self.acquire(CONTROL)
            except Exception:
                continue
            logger.warning("realtime: Redis reachable again")
            return

    async def stop(self) -> None:
        for task in [*self.releases, self.reader, self.retry]:
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        await self.pubsub.aclose()
        await self.client.aclose()

    async def acquire(self, channel: str) -> None:
        """Follow `channel`; returns once Redis confirms, so nothing later can be missed."""
        state = self.channels.get(channel) or self.channels.setdefault(channel, _Channel())
        state.wanted += 1
        state.users += 1
        try:
            await self._settle(channel, state)
        except BaseException:
            state.wanted -= 1
            raise
        finally:
            self._forget(channel, state)

    def release(self, channel: str) -> None:
        """Stop following `channel` (once per `acquire`); Redis hears of it in a task."""
        state = self.channels[channel]
        state.wanted -= 1
        if state.wanted == 0:
            state.users += 1
            task = asyncio.get_running_loop().create_task(self._settle_later(channel, state))
            self.releases.add(task)
            task.add_done_callback(self.releases.discard)

    async def _settle_later(self, channel: str, state: _Channel) -> None:
        try:
            await self._settle(channel, state)
        except Exception:  # Redis away: the reconnection subscribes to what is left
            logger.warning("realtime: could not unsubscribe from %s", channel)
        finally:
            self._forget(channel, state)

    async def _settle(self, channel: str, state: _Channel) -> None:
        """Bring Redis to what the count wants now, one channel operation at a time."""
        async with state.lock:
            name = self.bus.channel_name(channel).encode()
            if state.wanted > 0 and not state.subscribed:
                confirmed = asyncio.get_running_loop().create_future()
                self.confirmations.setdefault(name, []).append(confirmed)
                try:
                    await self.pubsub.subscribe(name)
                    if self.reader is None:
                        self.reader = asyncio.create_task(self._read())
                    await confirmed
                finally:
                    if confirmed in self.confirmations.get(name, []):
                        self.confirmations[name].remove(confirmed)
                state.subscribed = True
            elif state.wanted == 0 and state.subscribed:
                state.subscribed = False
                await self.pubsub.unsubscribe(name)

    def _forget(self, channel: str, state: _Channel) -> None:
        state.users -= 1
        idle = not state.users and not state.wanted and not state.subscribed
        if idle and self.channels.get(channel) is state:
            del self.channels[channel]

    async def _read(self) -> None:
        offset = len(self.bus.prefix) + 1
        control = self.bus.channel_name(CONTROL).encode()
        while True:
            try:
                async for message in self.pubsub.listen():
                    kind, name = message["type"], message["channel"]
                    if kind == "message":
                        self.on_message(name[offset:].decode(), message["data"])
                    elif kind == "subscribe" and self.confirmations.get(name):
                        future = self.confirmations[name].pop(0)
                        if not future.done():
                            future.set_result(None)
                    elif kind == "subscribe" and name == control:
                        # Subscribed again without asking: redis-py has reconnected.
                        self.on_reconnect()
                return
            except Exception:
                logger.warning("realtime: Redis pub/sub connection lost, reconnecting")
                await asyncio.sleep(0.5)


class RedisBus:
    def __init__(self, url: str, prefix: str) -> None:
        from . import stores

        self.url, self.prefix = url, f"{prefix}:rt"
        # The process's pool, whose timeouts (1 s to connect, 2 s a command) make a Redis
        # that hangs delay a committed write's answer, never hold it.
        self._client = stores.sync_client(url)

    def channel_name(self, channel: str) -> str:
        return f"{self.prefix}:{channel}"

    def listener(
        self, loop: asyncio.AbstractEventLoop, on_message: OnMessage, on_reconnect: OnReconnect
    ) -> RedisListener:
        return RedisListener(self, on_message, on_reconnect)

    def publish(self, channel: str, payload: Payload) -> None:
        self._client.publish(self.channel_name(channel), payload)

    def publish_many(self, items: list[tuple[str, Payload]]) -> None:
        """`publish` of each (channel, payload) in order, in one round trip (a pipeline on one
        connection, so subscribers receive them in this order)."""
        with self._client.pipeline(transaction=False) as pipe:
            for channel, data in items:
                pipe.publish(self.channel_name(channel), data)
            pipe.execute()

    def client(self):
        """Commands for one event loop (presence, send limits, socket counts): the loop's
        shared client on its bounded, blocking pool (see `stores`): a crowd of sockets
        queues for a connection instead of opening one each."""
        from . import stores

        return stores.async_client()


@cache
def get_bus() -> MemoryBus | RedisBus:
    if settings.REDIS_URL:
        return RedisBus(settings.REDIS_URL, settings.REDIS_PREFIX)
    return MemoryBus()
