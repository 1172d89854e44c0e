"""Who is on a topic right now: held in memory, or in Redis with expiry, never stored.

With several processes, Redis holds one entry per person and process on a topic, in a sorted
set scored by expiry time and refreshed by a heartbeat; every process sweeps the expired ones,
so the users of a process that died (kill -9, power loss) leave within
`REALTIME_PRESENCE_TTL` seconds. A person's second tab touches nothing in Redis. A small set
per person and topic, of the processes where they are, tells an arrival or a departure
without reading the whole list; only a socket that watches presence reads it.

However many sockets arrive at once, Redis sees one transaction at a time per process: the
changes and reads waiting meanwhile are gathered and sent together, so a crowd of thousands
costs a few round trips on one pooled connection, not one connection per socket.
Trust frame: only "who is here now" exists; no connection time is kept anywhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
import uuid
from typing import TYPE_CHECKING, Any, Literal

from django.conf import settings

from . import conf
from .bus import PRESENCE, get_bus, payload
from .events import Event, PresenceJoined, PresenceLeft, PresentUser
from .publishing import encode, fan_out

if TYPE_CHECKING:
    from .connection import Connection

PROCESS = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"

Change = tuple[str, Literal["add", "remove", "read"], str, asyncio.Future]


logger = logging.getLogger(__name__)


def announce(topic: str, event: Event) -> None:
    fan_out(topic, PRESENCE, encode(topic, None, event))


def _user(member: str) -> PresentUser:
    user_id, name, _process = json.loads(member)
    return PresentUser(user_id=user_id, name=name)


def _listing(members: list[str]) -> list[PresentUser]:
    unique = {user.user_id: user for user in map(_user, members)}
    return [unique[uid] for uid in sorted(unique)]


class Stopped(Exception):
    """The server stopped before the change was written: the entries this process wrote
    expire with the heartbeat it no longer sends, and the other processes then announce
    the departures."""


def _settle(batch: list[Change], exc: Exception) -> None:
    """Fail the changes of `batch` still waiting with `exc`."""
    for *_change, done in batch:
        if not done.done():
            done.set_exception(exc)


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
        # A writer cancelled before it ran settled nothing.
        _settle(self.waiting, Stopped())
        self.waiting = []

    def _key(self, topic: str) -> str:
        return f"{self.prefix}:{topic}"

    def _user_key(self, topic: str, member: str) -> str:
        """The processes where one person is on the topic: who came or left, in O(log n)."""
        return f"{self.prefix}:{topic}:{_user(member).user_id}"

    @staticmethod
    def _member(conn: Connection) -> str:
        return json.dumps([conn.user_id, conn.name, PROCESS], ensure_ascii=False)

    async def add(self, conn: Connection, topic: str) -> None:
        """Enter `conn` in the topic's presence, announcing the person's arrival if new."""
        mine = self.local.setdefault(topic, {}).setdefault(conn.user_id, {})
        mine[conn] = None
        if len(mine) > 1:
            return
        if self.redis is None:
            announce(topic, PresenceJoined(user_id=conn.user_id, name=conn.name))
            return
        member = self.entries[topic, conn.user_id] = self._member(conn)
        await self._queue(topic, "add", member)

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
            return
        # The sockets closed by the server's stop leave as it stops: nothing to report.
        with contextlib.suppress(Stopped):
            await self._queue(topic, "remove", self.entries.pop((topic, conn.user_id)))

    async def members(self, topic: str) -> list[PresentUser]:
        """Who is on the topic, in every process."""
        if self.redis is not None:
            return await self._queue(topic, "read", "")
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
                except asyncio.CancelledError:  # the hub stops
                    _settle(batch + self.waiting, Stopped())
                    raise
        finally:
            self.writer = None

    async def _apply(self, batch: list[Change]) -> None:
        """Apply the batch's changes in order, then read the topics asked for, atomically.

        Atomic, so that two processes admitting the same person at once announce one arrival:
        each change counts the person's live processes on the topic as it applies.
        """
        ttl = conf.get("REALTIME_PRESENCE_TTL")
        now = time.time()
        changes = [(t, kind, m) for t, kind, m, _done in batch if kind != "read"]
        reads = list(dict.fromkeys(t for t, kind, _m, _done in batch if kind == "read"))
        starts: list[int] = []  # where each change's and each read's replies begin
        async with self.redis.pipeline(transaction=True) as pipe:
            for topic, kind, member in changes:
                key, user_key = self._key(topic), self._user_key(topic, member)
                starts.append(len(pipe))
                if kind == "add":
                    pipe.zcount(user_key, now, "+inf")  # the person's other processes
                    pipe.zadd(user_key, {PROCESS: now + ttl})
                    pipe.zadd(key, {member: now + ttl})
                    for k in (key, user_key):
                        pipe.expire(k, int(ttl * 10) + 1)
                    pipe.sadd(f"{self.prefix}-topics", topic)
                else:
                    pipe.zrem(user_key, PROCESS)
                    pipe.zcount(user_key, now, "+inf")
                    pipe.zrem(key, member)
            for topic in reads:
                starts.append(len(pipe))
                pipe.zrangebyscore(self._key(topic), now, "+inf")
            found = await pipe.execute()
        events: list[tuple[str, Event]] = []
        for (topic, kind, member), at in zip(changes, starts, strict=False):
            user = _user(member)
            if kind == "add" and not found[at]:
                events.append((topic, PresenceJoined(user_id=user.user_id, name=user.name)))
            elif kind == "remove" and found[at] and not found[at + 1]:
                events.append((topic, PresenceLeft(user_id=user.user_id)))
        listings = {
            topic: _listing(found[at])
            for topic, at in zip(reads, starts[len(changes) :], strict=True)
        }
        for topic, kind, _member, done in batch:
            if not done.done():
                done.set_result(listings.get(topic) if kind == "read" else None)
        await self._announce(events)

    async def _announce(self, events: list[tuple[str, Event]]) -> None:
        """Tell every process who came and went, through this loop's own Redis client, in
        one round trip: the bus's client blocks, and a crowd arriving held the event loop
        for a round trip per arrival."""
        if not events:
            return
        bus = get_bus()
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for topic, event in events:
                    frame = payload(PRESENCE, encode(topic, None, event))
                    pipe.publish(bus.channel_name(topic), frame)
                await pipe.execute()
        except Exception:  # Redis away: lost, as ephemeral frames are (see `fan_out`)
            logger.warning(
                "realtime: presence of %s not announced", ", ".join(t for t, _ in events)
            )

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
                user_key = self._user_key(topic, member)
                pipe.zadd(self._key(topic), {member: expires}, xx=True)
                pipe.zadd(user_key, {PROCESS: expires}, xx=True)
                for key in (self._key(topic), user_key):
                    pipe.expire(key, int(ttl * 10) + 1)
                pipe.zscore(self._key(topic), member)
            found = await pipe.execute()
        lost = [
            (topic, member)
            for (key, member), score in zip(entries, found[4::5], strict=True)
            if score is None and self.entries.get(key) == member  # not left meanwhile
            for topic in [key[0]]
        ]
        await asyncio.gather(*(self._queue(topic, "add", member) for topic, member in lost))

    async def _sweep(self) -> None:
        """Remove the expired entries of every topic, announcing who has gone."""
        now = time.time()
        for raw_topic in await self.redis.smembers(f"{self.prefix}-topics"):
            topic = raw_topic.decode()
            key = self._key(topic)
            for raw in await self.redis.zrangebyscore(key, "-inf", now):
                member = raw.decode()
                if not await self.redis.zrem(key, member):
                    continue  # another process swept it and announces the departure
                user_key = self._user_key(topic, member)
                process = json.loads(member)[2]
                async with self.redis.pipeline(transaction=True) as pipe:
                    pipe.zrem(user_key, process)
                    pipe.zcount(user_key, now, "+inf")
                    _removed, remaining = await pipe.execute()
                if not remaining:
                    await self._announce([(topic, PresenceLeft(user_id=_user(member).user_id))])
            if not await self.redis.zcard(key):
                await self.redis.srem(f"{self.prefix}-topics", topic)
