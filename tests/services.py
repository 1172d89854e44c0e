"""Real services the tests use: Redis, PostgreSQL, Chromium.

Absent, a test that needs one is skipped; with REQUIRE_SERVICES=1 (CI) it fails instead.
"""

import os
import shutil
import socket
import threading
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import close_old_connections

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _missing(what: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (REQUIRE_SERVICES=1) but not available")
    pytest.skip(f"{what} not available")


def require_redis() -> str:
    if not settings.REDIS_URL:
        _missing("Redis (REDIS_URL)")
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        _missing(f"Redis at {settings.REDIS_URL}")
    return settings.REDIS_URL


def require_postgres() -> None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        _missing("PostgreSQL (DATABASE_URL)")


def require_chromium() -> str:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        _missing(f"Chromium at {CHROMIUM}")
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_together(count: int, work: Callable[[int], None], timeout: float = 120) -> None:
    """`work(n)` for n in range(count), in threads released at once, each closing its
    database connection at the end; fails on the first error a thread raised (a deadlock
    or a lost update surfaces there)."""
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run(n: int) -> None:
        try:
            start.wait()
            work(n)
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert errors == []
