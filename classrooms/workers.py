"""Classroom media in worker processes, with Redis: pinning, routing, and taking over.

Each `classroom_worker` process runs a `MediaHost` and says it is alive in Redis every
second (`{prefix}:cw:alive`, scored by the time its word expires). A classroom is pinned to
one worker (`{prefix}:cw:room:<id>` = worker id), claimed with SET NX by whichever server
process first needs the room's media, so two processes can never pin one room to two
workers; the worker lists the rooms it hosts (`{prefix}:cw:rooms:<worker>`). Messages reach
a worker on its channel-layer channel `classroom-worker.<id>`.

When a worker stops answering (killed, machine lost), the first live worker to notice takes
its rooms: it pins them to itself, hosts them, and tells every browser in them
(`media.restart` on the room's topic) to join the media again, now on it. Roles, hands, chat
and polls are rows, not worker memory: the class goes on where it was.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

from parcours.errors import ErrorCode, ServiceError

logger = logging.getLogger(__name__)

# Seconds a worker's word lasts; it renews it every HEARTBEAT seconds.
ALIVE_FOR = 4.0
HEARTBEAT = 1.0
# Seconds a server process waits for a worker to host a room.
HOST_TIMEOUT = 15.0


def _key(*parts: Any) -> str:
    return ":".join([settings.REDIS_PREFIX, "cw", *map(str, parts)])


def channel_of(worker: str) -> str:
    return f"classroom-worker.{worker}"


def _sync_redis():
    """The process's shared pool (realtime/stores.py): routing a room change opens nothing."""
    from realtime import stores

    return stores.sync_client(decode=True)


def _async_redis():
    import redis.asyncio

    return redis.asyncio.Redis.from_url(settings.REDIS_URL, decode_responses=True)


async def alive_workers(client) -> list[str]:
    return await client.zrangebyscore(_key("alive"), time.time(), "+inf")


async def ensure(room_id: int) -> bool:
    """Have the room's media hosted by its worker, pinning it to one first if needed."""
    client = _async_redis()
    try:
        alive = await alive_workers(client)
        if not alive:
            raise ServiceError(
                ErrorCode.CONFLICT, "Aucun processus média n'est disponible : réessayez."
            )
        pinned = await client.get(_key("room", room_id))
        if pinned not in alive:
            if pinned is not None:
                await _unpin(client, room_id, pinned)
            loads = [await client.scard(_key("rooms", worker)) for worker in alive]
            chosen = alive[loads.index(min(loads))]
            await client.set(_key("room", room_id), chosen, nx=True)
            pinned = await client.get(_key("room", room_id))
        started = await _ask(pinned, room_id)
        if not started:
            await _unpin(client, room_id, pinned)
        return started
    finally:
        await client.aclose()


async def _ask(worker: str, room_id: int) -> bool:
    layer = get_channel_layer()
    reply = await layer.new_channel()
    await layer.send(
        channel_of(worker), {"type": "classroom.host", "room": room_id, "reply": reply}
    )
    deadline = time.monotonic() + HOST_TIMEOUT
    while True:
        try:
            async with asyncio.timeout(max(0.1, deadline - time.monotonic())):
                answer = await layer.receive(reply)
            return bool(answer.get("ok"))
        except TimeoutError:
            if time.monotonic() >= deadline:
                raise ServiceError(
                    ErrorCode.CONFLICT, "Le processus média ne répond pas : réessayez."
                ) from None
        except Exception:  # a Redis read that timed out under load: listen again
            if time.monotonic() >= deadline:
                raise


UNPIN = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


async def _unpin(client, room_id: int, worker: str) -> None:
    """Drop the room's pin if it still names `worker` (another may have taken it)."""
    await client.eval(UNPIN, 1, _key("room", room_id), worker)


def route(message: dict[str, Any]) -> None:
    """A room change, to the worker hosting the room (nothing when none does)."""
    worker = _sync_redis().get(_key("room", message["room"]))
    if worker is not None:
        async_to_sync(get_channel_layer().send)(
            channel_of(worker), {"type": "classroom.op", "message": message}
        )


class Worker:
    """One `classroom_worker` process: a `MediaHost` fed by its channel and Redis."""

    def __init__(self) -> None:
        from .live import MediaHost

        self.id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.host = MediaHost(on_closed=self._closed)
        self.redis = _async_redis()
        self.layer = get_channel_layer()
        self.tasks: set[asyncio.Task] = set()

    async def run(self, stop: asyncio.Event) -> None:
        await self._beat()
        beating = asyncio.create_task(self._heartbeat())
        listening = asyncio.create_task(self._listen())
        try:
            await stop.wait()
        finally:
            for task in (beating, listening, *self.tasks):
                task.cancel()
            await asyncio.gather(beating, listening, *self.tasks, return_exceptions=True)
            await self.host.close()
            await self.redis.zrem(_key("alive"), self.id)
            await self.redis.delete(_key("rooms", self.id))
            await self.redis.aclose()

    async def _beat(self) -> None:
        await self.redis.zadd(_key("alive"), {self.id: time.time() + ALIVE_FOR})

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT)
            try:
                await self._beat()
                await self._take_over()
            except Exception:
                logger.exception("classroom worker %s: heartbeat failed", self.id)

    async def _listen(self) -> None:
        channel = channel_of(self.id)
        while True:
            try:
                message = await self.layer.receive(channel)
            except Exception:  # Redis away for a moment: listen again
                logger.exception("classroom worker %s: receiving failed", self.id)
                await asyncio.sleep(0.5)
                continue
            task = asyncio.create_task(self._handle(message))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _handle(self, message: dict[str, Any]) -> None:
        try:
            if message["type"] == "classroom.host":
                ok = await self._host(message["room"])
                await self.layer.send(message["reply"], {"type": "classroom.hosted", "ok": ok})
            elif message["type"] == "classroom.op":
                await self.host.handle(message["message"])
        except Exception:
            logger.exception("classroom worker %s: %s failed", self.id, message.get("type"))

    async def _host(self, room_id: int) -> bool:
        started = await self.host.ensure(room_id)
        if started:
            await self.redis.sadd(_key("rooms", self.id), room_id)
        return started

    def _closed(self, room_id: int) -> None:
        """A room this worker hosted has ended here: unpin it, forget it."""

        async def forget() -> None:
            await self.redis.srem(_key("rooms", self.id), room_id)
            await _unpin(self.redis, room_id, self.id)

        task = asyncio.get_running_loop().create_task(forget())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _take_over(self) -> None:
        """Host the rooms of workers that stopped answering, and move their browsers here."""
        now = time.time()
        dead = await self.redis.zrangebyscore(_key("alive"), "-inf", now)
        for worker in dead:
            # One live worker takes each dead one's rooms.
            if not await self.redis.set(_key("sweep", worker), self.id, nx=True, ex=30):
                continue
            rooms = await self.redis.smembers(_key("rooms", worker))
            for room in map(int, rooms):
                if await self.redis.get(_key("room", room)) != worker:
                    continue
                await self.redis.set(_key("room", room), self.id)
                if await self._host(room):
                    await _announce_restart(room)
                else:
                    await _unpin(self.redis, room, self.id)
            await self.redis.delete(_key("rooms", worker))
            await self.redis.zrem(_key("alive"), worker)
            logger.warning("classroom worker %s took over the rooms of %s", self.id, worker)


async def _announce_restart(room_id: int) -> None:
    from realtime import db, publish

    from .events import MediaRestart

    await db.run(publish, f"classroom:{room_id}", MediaRestart())
