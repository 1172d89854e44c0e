"""Who is on a topic right now: held in memory, or in Redis with expiry, never stored.

With several processes each keeps its sockets' entries alive in a Redis sorted set scored by
expiry time, refreshed by a heartbeat; every process sweeps the expired ones, so the users
of a process that died (kill -9, power loss) leave within `REALTIME_PRESENCE_TTL` seconds.
Trust frame: only "who is here now" exists; no connection time is kept anywhere.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from typing import TYPE_CHECKING

from django.conf import settings

from . import conf
from .events import Event, PresenceJoined, PresenceLeft, PresentUser
from .publishing import PRESENCE, encode, fan_out

if TYPE_CHECKING:
    from .connection import Connection
    from .hub import Hub

PROCESS = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"


def announce(topic: str, event: Event) -> None:
    fan_out(topic, PRESENCE, encode(topic, None, event))


class Presence:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.local: dict[str, dict[Connection, None]] = {}
        self.redis = None
        self.heartbeat: asyncio.Task | None = None
        self.prefix = f"{settings.REDIS_PREFIX}:presence"

    async def start(self) -> None:
        if settings.REDIS_URL:
            import redis.asyncio

            self.redis = redis.asyncio.Redis.from_url(settings.REDIS_URL)
            self.heartbeat = asyncio.create_task(self._beat())

    async def stop(self) -> None:
        if self.heartbeat is not None:
            self.heartbeat.cancel()
        if self.redis is not None:
            await self.redis.aclose()

    def _key(self, topic: str) -> str:
        return f"{self.prefix}:{topic}"

    @staticmethod
    def _member(conn: Connection) -> str:
        return json.dumps([conn.user_id, conn.name, PROCESS, id(conn)], ensure_ascii=False)

    async def add(self, conn: Connection, topic: str) -> None:
        here = self.local.setdefault(topic, {})
        here[conn] = None
        if self.redis is None:
            if sum(other.user_id == conn.user_id for other in here) == 1:
                announce(topic, PresenceJoined(user_id=conn.user_id, name=conn.name))
            return
        ttl = conf.get("REALTIME_PRESENCE_TTL")
        await self.redis.zadd(self._key(topic), {self._member(conn): time.time() + ttl})
        await self.redis.sadd(f"{self.prefix}-topics", topic)
        if sum(user.user_id == conn.user_id for user in await self._entries(topic)) == 1:
            announce(topic, PresenceJoined(user_id=conn.user_id, name=conn.name))

    async def remove(self, conn: Connection, topic: str) -> None:
        here = self.local.get(topic, {})
        if conn not in here:
            return
        del here[conn]
        if not here:
            self.local.pop(topic, None)
        if self.redis is None:
            if not any(other.user_id == conn.user_id for other in here):
                announce(topic, PresenceLeft(user_id=conn.user_id))
            return
        if await self.redis.zrem(self._key(topic), self._member(conn)):
            await self._left(topic, conn.user_id)

    async def members(self, topic: str) -> list[PresentUser]:
        if self.redis is None:
            users = {conn.user_id: conn.name for conn in self.local.get(topic, {})}
            return [PresentUser(user_id=uid, name=name) for uid, name in sorted(users.items())]
        unique = {user.user_id: user for user in await self._entries(topic)}
        return [unique[uid] for uid in sorted(unique)]

    async def _entries(self, topic: str) -> list[PresentUser]:
        raw = await self.redis.zrangebyscore(self._key(topic), time.time(), "+inf")
        return [PresentUser(user_id=m[0], name=m[1]) for m in map(json.loads, raw)]

    async def _left(self, topic: str, user_id: int) -> None:
        if not any(user.user_id == user_id for user in await self._entries(topic)):
            announce(topic, PresenceLeft(user_id=user_id))

    async def _beat(self) -> None:
        """Keep this process's entries alive and sweep those nobody keeps alive any more."""
        while True:
            ttl = conf.get("REALTIME_PRESENCE_TTL")
            await asyncio.sleep(ttl / 3)
            try:
                await self._refresh(ttl)
                await self._sweep()
            except Exception:  # Redis briefly away: entries expire, the next beat restores
                continue

    async def _refresh(self, ttl: float) -> None:
        expires = time.time() + ttl
        async with self.redis.pipeline(transaction=False) as pipe:
            for topic, conns in self.local.items():
                pipe.zadd(self._key(topic), {self._member(conn): expires for conn in conns})
                pipe.expire(self._key(topic), int(ttl * 10) + 1)
            await pipe.execute()

    async def _sweep(self) -> None:
        for raw_topic in await self.redis.smembers(f"{self.prefix}-topics"):
            topic = raw_topic.decode()
            key = self._key(topic)
            for member in await self.redis.zrangebyscore(key, "-inf", time.time()):
                if await self.redis.zrem(key, member):
                    await self._left(topic, json.loads(member)[0])
            if not await self.redis.zcard(key):
                await self.redis.srem(f"{self.prefix}-topics", topic)
