"""How fast a person may send on a topic: a token bucket per (user, topic).

`REALTIME_SEND_RATE` tokens a second, up to `REALTIME_SEND_BURST`. One process (the embedded
default) keeps the buckets in memory; with Redis they live there, so that the processes a
person's tabs happen to reach share one budget instead of granting one each.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings

from parcours.errors import ErrorCode, ServiceError

from . import conf

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


def _refuse(wait: float) -> ServiceError:
    return ServiceError(
        ErrorCode.RATE_LIMITED,
        "Trop de messages envoyés : patientez un instant.",
        {"retry_after": round(wait, 2)},
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
        from redis.exceptions import ConnectionError, TimeoutError

        rate, burst = conf.get("REALTIME_SEND_RATE"), conf.get("REALTIME_SEND_BURST")
        try:
            wait = await self.script(keys=[f"{self.prefix}:{user_id}:{topic}"], args=[rate, burst])
        except (ConnectionError, TimeoutError):
            await self.fallback.take(user_id, topic)
            return
        if wait is not None:
            raise _refuse(float(wait))


def limiter_for(redis: Any) -> MemoryLimiter | RedisLimiter:
    return MemoryLimiter() if redis is None else RedisLimiter(redis)
