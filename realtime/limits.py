"""Budgets: sends per person and topic (a token bucket), and open sockets per person.

`REALTIME_SEND_RATE` tokens a second, up to `REALTIME_SEND_BURST`. One process (the embedded
default) keeps the buckets in memory; with Redis they live there, so that the processes a
person's tabs happen to reach share one budget instead of granting one each.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from typing import Any

from django.conf import settings
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from parcours.errors import ErrorCode, ServiceError

from . import conf

logger = logging.getLogger(__name__)

# Refill, take one token if there is one, and keep the bucket until it would be full again.
# Redis's clock, not the processes': their clocks may disagree.
TAKE = """
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1e6
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
if tokens < 1 then
    return tostring((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return false
"""


def retry_after(wait: float) -> float:
    """`wait` rounded up to the next hundredth: a client that waits what it is told is never
    refused again for being early (rounding to nearest could even say 0)."""
    return math.ceil(wait * 100) / 100


def _refuse(wait: float) -> ServiceError:
    return ServiceError(
        ErrorCode.RATE_LIMITED,
        "Trop de messages envoyés : patientez un instant.",
        {"retry_after": retry_after(wait)},
    )


class MemoryLimiter:
    """The buckets of this process."""

    def __init__(self) -> None:
        self.buckets: dict[tuple[int, str], tuple[float, float]] = {}

    async def take(self, user_id: int, topic: str) -> None:
        rate, burst = conf.get("REALTIME_SEND_RATE"), conf.get("REALTIME_SEND_BURST")
        now = time.monotonic()
        tokens, at = self.buckets.get((user_id, topic), (burst, now))
        tokens = min(burst, tokens + (now - at) * rate)
        if tokens < 1:
            raise _refuse((1 - tokens) / rate)
        self.buckets[(user_id, topic)] = (tokens - 1, now)
        if len(self.buckets) > 10_000:
            self._forget_full(now, burst / rate)

    def _forget_full(self, now: float, refill: float) -> None:
        """Drop the buckets that have refilled: they hold nothing a fresh one would not."""
        for key, (_tokens, at) in list(self.buckets.items()):
            if now - at >= refill:
                del self.buckets[key]


class RedisLimiter:
    """The buckets of every process, in Redis, each taken from atomically by a script.

    While Redis cannot be reached, this process's own buckets count instead: a send is
    never refused (nor failed) because the shared count is away.
    """

    def __init__(self, redis: Any) -> None:
        self.script = redis.register_script(TAKE)
        self.prefix = f"{settings.REDIS_PREFIX}:rate"
        self.fallback = MemoryLimiter()

    async def take(self, user_id: int, topic: str) -> None:
        rate, burst = conf.get("REALTIME_SEND_RATE"), conf.get("REALTIME_SEND_BURST")
        try:
            wait = await self.script(keys=[f"{self.prefix}:{user_id}:{topic}"], args=[rate, burst])
        except (RedisConnectionError, RedisTimeoutError):
            await self.fallback.take(user_id, topic)
            return
        if wait is not None:
            raise _refuse(float(wait))


def limiter_for(redis: Any) -> MemoryLimiter | RedisLimiter:
    return MemoryLimiter() if redis is None else RedisLimiter(redis)


# -- sockets per account ---------------------------------------------------------------

# A person's open sockets, per process, in one hash; a process that died (its liveness key
# expired) no longer counts and its field is removed by the next arrival.
ENTER = """
local total = 0
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
    local process, count = fields[i], tonumber(fields[i + 1])
    if process ~= ARGV[1] and redis.call('EXISTS', ARGV[3] .. process) == 0 then
        redis.call('HDEL', KEYS[1], process)
    else
        total = total + count
    end
end
if total >= tonumber(ARGV[2]) then
    return 0
end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('EXPIRE', KEYS[1], 86400)
return 1
"""

LEAVE = """
if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then
    redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0
"""


def too_many_sockets() -> ServiceError:
    cap = conf.get("REALTIME_MAX_SOCKETS_PER_USER")
    return ServiceError(
        ErrorCode.RATE_LIMITED,
        "Trop de connexions ouvertes pour ce compte : fermez un onglet ou un appareil.",
        {"max_sockets": cap},
    )


class MemorySockets:
    """The open sockets of each person in this process (the embedded default)."""

    def __init__(self) -> None:
        self.open: dict[int, set[str]] = {}

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def enter(self, user_id: int, connection_id: str) -> bool:
        """Count a new socket of `user_id`, or refuse it (False) at the cap."""
        mine = self.open.setdefault(user_id, set())
        if len(mine) >= conf.get("REALTIME_MAX_SOCKETS_PER_USER"):
            return False
        mine.add(connection_id)
        return True

    async def leave(self, user_id: int, connection_id: str) -> None:
        mine = self.open.get(user_id)
        if mine is not None and connection_id in mine:
            mine.discard(connection_id)
            if not mine:
                del self.open[user_id]


class RedisSockets(MemorySockets):
    """The open sockets of each person on every process, counted in Redis.

    Each process keeps a liveness key alive (`REALTIME_PRESENCE_TTL`); the counts of a
    process killed without closing its sockets stop counting when that key expires.
    """

    def __init__(self, redis: Any, process: str) -> None:
        super().__init__()
        self.redis = redis
        self.process = process
        self.enter_script = redis.register_script(ENTER)
        self.leave_script = redis.register_script(LEAVE)
        self.prefix = f"{settings.REDIS_PREFIX}:sockets"
        self.beat: asyncio.Task | None = None
        # The sockets counted in Redis (not those counted here while Redis was away).
        self.shared: set[str] = set()

    async def start(self) -> None:
        try:
            await self._alive()
        except (RedisConnectionError, RedisTimeoutError) as exc:  # the beat keeps trying
            logger.warning("realtime: Redis unreachable (%s); sockets counted per process", exc)
        self.beat = asyncio.create_task(self._beat())

    async def stop(self) -> None:
        if self.beat is not None:
            self.beat.cancel()
            await asyncio.gather(self.beat, return_exceptions=True)

    async def _alive(self) -> None:
        ttl = conf.get("REALTIME_PRESENCE_TTL")
        await self.redis.set(f"{self.prefix}-alive:{self.process}", 1, px=int(ttl * 1000))

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(conf.get("REALTIME_PRESENCE_TTL") / 3)
            try:
                await self._alive()
            except Exception:  # Redis briefly away: the next beat restores the key
                continue

    async def enter(self, user_id: int, connection_id: str) -> bool:
        cap = conf.get("REALTIME_MAX_SOCKETS_PER_USER")
        try:
            allowed = await self.enter_script(
                keys=[f"{self.prefix}:{user_id}"],
                args=[self.process, cap, f"{self.prefix}-alive:"],
            )
        except (RedisConnectionError, RedisTimeoutError):
            # Redis away: this process's own count decides, as with the embedded default.
            return await super().enter(user_id, connection_id)
        if allowed:
            self.open.setdefault(user_id, set()).add(connection_id)
            self.shared.add(connection_id)
        return bool(allowed)

    async def leave(self, user_id: int, connection_id: str) -> None:
        mine = self.open.get(user_id)
        if mine is None or connection_id not in mine:
            return
        await super().leave(user_id, connection_id)
        if connection_id not in self.shared:
            return  # counted here only, while Redis was away
        self.shared.discard(connection_id)
        with contextlib.suppress(RedisConnectionError, RedisTimeoutError):
            await self.leave_script(keys=[f"{self.prefix}:{user_id}"], args=[self.process])


def sockets_for(redis: Any, process: str) -> MemorySockets:
    return MemorySockets() if redis is None else RedisSockets(redis, process)
