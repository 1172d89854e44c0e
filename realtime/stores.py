"""Redis connections, shared: one pool per process for synchronous code, one per event loop
for async code, whatever asks (the cache, the bus, presence, send limits, the classrooms'
media routing).

Left to themselves, Django's cache opens a pool per thread (its cache objects are
per-thread), the bus one more, and code that builds a client per call one per call: a
server with a dozen threads held dozens of idle Redis connections, and a burst could open
as many as it had requests. Here each pool is bounded (`REDIS_POOL_SIZE` for the process,
`REALTIME_REDIS_CONNECTIONS` per loop) and blocking: past its size a command waits for a
connection (up to `REDIS_POOL_TIMEOUT` seconds) instead of opening one. Pub/sub keeps its
own connection (`bus.RedisListener`): a subscribed connection can run nothing else.
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from typing import Any

from django.conf import settings

from . import conf

_lock = threading.Lock()
_pools: dict[tuple[str, bool], Any] = {}
_loop_pools: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def client_name() -> str:
    """How this process's connections are named on the Redis server (`CLIENT LIST`)."""
    return f"{settings.REDIS_PREFIX}:{os.getpid()}"


def _options(decode: bool) -> dict[str, Any]:
    return {
        "max_connections": conf.get("REDIS_POOL_SIZE"),
        "timeout": conf.get("REDIS_POOL_TIMEOUT"),
        "decode_responses": decode,
        "health_check_interval": 30,
        # A Redis that hangs costs a request at most this long, never a worker.
        "socket_connect_timeout": 1,
        "socket_timeout": 2,
        "client_name": client_name(),
    }


def sync_pool(url: str | None = None, *, decode: bool = False):
    """The process's pool for `url` (settings.REDIS_URL by default)."""
    import redis

    key = (url or settings.REDIS_URL, decode)
    with _lock:
        pool = _pools.get(key)
        if pool is None or pool.pid != os.getpid():  # a forked child builds its own
            pool = _pools[key] = redis.BlockingConnectionPool.from_url(key[0], **_options(decode))
        return pool


def sync_client(url: str | None = None, *, decode: bool = False):
    """A client on the process's pool: cheap, make one wherever needed; closing it leaves
    the pool alone."""
    import redis

    return redis.Redis(connection_pool=sync_pool(url, decode=decode))


def async_client(*, decode: bool = False):
    """The running loop's client on its own bounded pool; closing it is `close_loop_clients`'s
    business, not its users'."""
    import redis.asyncio

    loop = asyncio.get_running_loop()
    clients = _loop_pools.setdefault(loop, {})
    client = clients.get(decode)
    if client is None:
        pool = redis.asyncio.BlockingConnectionPool.from_url(
            settings.REDIS_URL,
            max_connections=conf.get("REALTIME_REDIS_CONNECTIONS"),
            # A crowd of sockets arriving at once queues here: wait as redis-py does.
            timeout=20,
            decode_responses=decode,
            socket_connect_timeout=1,
            socket_timeout=5,
            client_name=client_name(),
        )
        client = clients[decode] = redis.asyncio.Redis(connection_pool=pool)
    return client


async def close_loop_clients() -> None:
    """Disconnect the running loop's pools (its server stops, or a test's loop ends)."""
    clients = _loop_pools.pop(asyncio.get_running_loop(), {})
    for client in clients.values():
        await client.connection_pool.disconnect()


class SharedPool:
    """`pool_class` for Django's Redis cache: every thread's cache object gets the process's
    pool instead of building its own."""

    @classmethod
    def from_url(cls, url: str, **options: Any):
        return sync_pool(url)
