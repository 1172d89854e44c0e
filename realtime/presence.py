"""Who is on a topic right now: held in memory, or in Redis with expiry, never stored.

With several processes, Redis holds one entry per person and process on a topic, in a sorted
set scored by expiry time and refreshed by a heartbeat; every process sweeps the expired ones,
so the users of a process that died (kill -9, power loss) leave within
`REALTIME_PRESENCE_TTL` seconds. A person's second tab touches nothing in Redis.

However many sockets arrive at once, Redis sees one transaction at a time per process: the
changes and reads waiting meanwhile are gathered and sent together, so a crowd of thousands
costs a few round trips on one pooled connection, not one connection per socket.
Trust frame: only "who is here now" exists; no connection time is kept anywhere.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections import Counter
from typing import TYPE_CHECKING, Any, Literal

from django.conf import settings

from . import conf
from .events import Event, PresenceJoined, PresenceLeft, PresentUser
from .publishing import PRESENCE, encode, fan_out

if TYPE_CHECKING:
    from .connection import Connection

PROCESS = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"

Change = tuple[str, Literal["add", "remove", "read"], str, asyncio.Future]


def announce(topic: str, event: Event) -> None:
    fan_out(topic, PRESENCE, encode(topic, None, event))


def _user(member: str) -> PresentUser:
    user_id, name, _process = json.loads(member)
    return PresentUser(user_id=user_id, name=name)


def _listing(members: list[str]) -> list[PresentUser]:
    unique = {user.user_id: user for user in map(_user, members)}
    return [unique[uid] for uid in sorted(unique)]


def _settle(batch: list[Change], exc: Exception | None) -> None:
    """Fail the changes of `batch` still waiting with `exc`, or cancel them."""
    for *_change, done in batch:
        if not done.done():
            done.cancel() if exc is None else done.set_exception(exc)


class Presence:
    def __init__(self, redis: Any = None) -> None:
        self.redis = redis
        # topic -> user id -> that person's sockets on the topic in this process.
        self.local: dict[str, dict[int, dict[Connection, None]]] = {}
        # (topic, user id) -> the entry written for that person, whichever tab wrote it.
        self.entries: dict[tuple[str, int], str] = {}
        self.waiting: list[Change] = []
        self.writer: asyncio.Task | None = None
        self.heartbeat: asyncio.Task | None = None
        self.prefix = f"{settings.REDIS_PREFIX}:presence"

    async def start(self) -> None:
        if self.redis is not None:
            self.heartbeat = asyncio.create_task(self._beat())

    async def stop(self) -> None:
        for task in (self.heartbeat, self.writer):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    def _key(self, topic: str) -> str:
        return f"{self.prefix}:{topic}"

    @staticmethod
    def _member(conn: Connection) -> str:
        return json.dumps([conn.user_id, conn.name, PROCESS], ensure_ascii=False)

    async def add(self, conn: Connection, topic: str) -> list[PresentUser]:
        """Enter `conn` in the topic's presence; returns who is there, `conn` included."""
        mine = self.local.setdefault(topic, {}).setdefault(conn.user_id, {})
        mine[conn] = None
        if self.redis is None:
            if len(mine) == 1:
                announce(topic, PresenceJoined(user_id=conn.user_id, name=conn.name))
            return self._local_listing(topic)
        if len(mine) > 1:
            return await self._queue(topic, "read", self.entries[topic, conn.user_id])
        member = self.entries[topic, conn.user_id] = self._member(conn)
        return await self._queue(topic, "add", member)

    async def remove(self, conn: Connection, topic: str) -> None:
        here = self.local.get(topic, {})
        mine = here.get(conn.user_id, {})
        if conn not in mine:
            return
        del mine[conn]
        if mine:
            return
        del here[conn.user_id]
        if not here:
            del self.local[topic]
        if self.redis is None:
            announce(topic, PresenceLeft(user_id=conn.user_id))
        else:
            await self._queue(topic, "remove", self.entries.pop((topic, conn.user_id)))

    def _local_listing(self, topic: str) -> list[PresentUser]:
        here = self.local.get(topic, {})
        return [
            PresentUser(user_id=uid, name=next(iter(conns)).name)
            for uid, conns in sorted(here.items())
        ]

    # -- gathering changes into transactions ---------------------------------------------

    def _queue(self, topic: str, kind: str, member: str) -> asyncio.Future:
        done = asyncio.get_running_loop().create_future()
        self.waiting.append((topic, kind, member, done))
        if self.writer is None:
            self.writer = asyncio.create_task(self._write())
        return done

    async def _write(self) -> None:
        """Send what waits, one transaction at a time, until nothing waits."""
        try:
            while self.waiting:
                batch, self.waiting = self.waiting, []
                try:
                    await self._apply(batch)
                except Exception as exc:  # Redis away: the subscriptions waiting fail with it
                    _settle(batch, exc)
                except asyncio.CancelledError:  # the hub stops: nobody waits for an answer
                    _settle(batch + self.waiting, None)
                    raise
        finally:
            self.writer = None

    async def _apply(self, batch: list[Change]) -> None:
        """Read each topic, apply the batch's changes in order, in one atomic transaction.

        Atomic, so that two processes admitting the same person at once announce one arrival.
        """
        topics = list(dict.fromkeys(topic for topic, *_rest in batch))
        ttl = conf.get("REALTIME_PRESENCE_TTL")
        now = time.time()
        async with self.redis.pipeline(transaction=True) as pipe:
            for topic in topics:
                pipe.zrangebyscore(self._key(topic), now, "+inf")
            for topic, kind, member, _done in batch:
                if kind == "add":
                    pipe.zadd(self._key(topic), {member: now + ttl})
                    pipe.expire(self._key(topic), int(ttl * 10) + 1)
                    pipe.sadd(f"{self.prefix}-topics", topic)
                elif kind == "remove":
                    pipe.zrem(self._key(topic), member)
            found = await pipe.execute()
        live = {topic: {m.decode(): None for m in found[i]} for i, topic in enumerate(topics)}
        users = {topic: Counter(_user(m).user_id for m in live[topic]) for topic in topics}
        events: list[tuple[str, Event]] = []
        for topic, kind, member, _done in batch:
            user = _user(member)
            if kind == "add" and member not in live[topic]:
                live[topic][member] = None
                users[topic][user.user_id] += 1
                if users[topic][user.user_id] == 1:
                    events.append((topic, PresenceJoined(user_id=user.user_id, name=user.name)))
            elif kind == "remove" and member in live[topic]:
                del live[topic][member]
                users[topic][user.user_id] -= 1
                if not users[topic][user.user_id]:
                    events.append((topic, PresenceLeft(user_id=user.user_id)))
        for topic, kind, _member, done in batch:
            if not done.done():
                done.set_result(_listing(list(live[topic])) if kind != "remove" else None)
        for topic, event in events:
            announce(topic, event)

    # -- keeping entries alive -----------------------------------------------------------

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
        """Push back the expiry of this process's entries; enter again those Redis lost.

        Only existing entries are refreshed (`xx`): one whose arrival is still waiting must
        be written by its own change, which announces it. One Redis lost (an outage longer
        than the TTL, announced as gone by a sweep) arrives again the same way.
        """
        expires = time.time() + ttl
        entries = list(self.entries.items())
        async with self.redis.pipeline(transaction=False) as pipe:
            for (topic, _user_id), member in entries:
                pipe.zadd(self._key(topic), {member: expires}, xx=True)
                pipe.zscore(self._key(topic), member)
            found = await pipe.execute()
        lost = [
            (topic, member)
            for (key, member), score in zip(entries, found[1::2], strict=True)
            if score is None and self.entries.get(key) == member  # not left meanwhile
            for topic in [key[0]]
        ]
        await asyncio.gather(*(self._queue(topic, "add", member) for topic, member in lost))

    async def _sweep(self) -> None:
        """Remove the expired entries of every topic, announcing who has gone."""
        for raw_topic in await self.redis.smembers(f"{self.prefix}-topics"):
            topic = raw_topic.decode()
            key = self._key(topic)
            gone = [
                _user(member.decode()).user_id
                for member in await self.redis.zrangebyscore(key, "-inf", time.time())
                if await self.redis.zrem(key, member)  # one process announces each departure
            ]
            if gone:
                present = {u.user_id for u in _listing(await self.redis.zrange(key, 0, -1))}
                for user_id in sorted(set(gone) - present):
                    announce(topic, PresenceLeft(user_id=user_id))
            if not await self.redis.zcard(key):
                await self.redis.srem(f"{self.prefix}-topics", topic)
