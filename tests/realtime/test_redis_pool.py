"""One Redis pool per process: every thread's cache and the bus's publishes share it, so a
crowd of threads never opens more connections than `REDIS_POOL_SIZE`."""

import os
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

from realtime import stores
from realtime.bus import get_bus
from tests.services import require_redis


def _redis_sockets_of_this_process(port: int) -> int:
    """TCP connections this process holds open to Redis's port (Linux /proc)."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if remote_port == port and fields[3] == "01" and fields[9] in inodes:
                count += 1
    return count


@pytest.mark.django_db
def test_sixty_threads_using_the_cache_and_the_bus_share_one_bounded_pool():
    url = require_redis()
    threads, rounds = 60, 20
    start, done = threading.Barrier(threads), threading.Barrier(threads + 1)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            start.wait(10)
            for r in range(rounds):
                cache.set(f"pool-test:{n}:{r}", r, 30)
                assert cache.get(f"pool-test:{n}:{r}") == r
                get_bus().publish("room:1", f"\n{n}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.wait(60)  # every thread, and its cache, still alive while counting

    # Connections the process already holds (earlier tests' listeners, the pool's own).
    port = urlsplit(url).port or 6379
    before = _redis_sockets_of_this_process(port)
    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    try:
        done.wait(60)
        held = _redis_sockets_of_this_process(port) - before
    finally:
        for worker in workers:
            worker.join(60)

    assert errors == []
    # Sixty caches (one per thread) used to open a pool, hence a connection, each.
    assert before + held > 0  # the count sees the process's connections at all
    assert held <= stores.conf.get("REDIS_POOL_SIZE")


def test_the_cache_the_bus_and_the_media_routing_use_the_same_process_pool():
    require_redis()
    from classrooms.workers import _sync_redis

    pool = stores.sync_pool()
    assert cache._cache.get_client().connection_pool is pool
    assert get_bus()._client.connection_pool is pool
    # The media routing reads decoded strings: the process's other pool, shared as well.
    assert _sync_redis().connection_pool is _sync_redis().connection_pool
