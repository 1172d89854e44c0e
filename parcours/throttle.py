"""Counting attempts in Django's cache: fixed windows shared by every process.

The cache is Redis when `REDIS_URL` is set, so that all processes share one count, and
process memory in the embedded default. A cache that cannot be reached never refuses
anyone and never fails a request: limits are a defence, not a dependency (the attempt is
let through and the failure logged).
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.utils.translation import gettext

from .errors import ErrorCode, ServiceError

logger = logging.getLogger(__name__)


def _now() -> float:
    return time.time()


@dataclass(frozen=True)
class Window:
    count: int
    retry_after: int  # seconds until the window ends


def _key(scope: str, subject: str, start: int) -> str:
    # Hashed: the cache never holds a username or an address in clear.
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
    return f"throttle:{scope}:{digest}:{start}"


def _window(window: int) -> tuple[int, int]:
    now = _now()
    start = int(now // window) * window
    return start, max(1, math.ceil(start + window - now))


def hit(scope: str, subject: str, window: int) -> Window:
    """Count one attempt of `subject` in `scope`; returns the count in the current window."""
    start, retry = _window(window)
    key = _key(scope, subject, start)
    try:
        return Window(_count(key, window + 1), retry)
    except Exception:
        logger.warning("throttle: the cache is unreachable, %s not counted", scope)
        return Window(0, retry)


def _count(key: str, timeout: int) -> int:
    """One more attempt under `key`: on Redis one round trip (the key created with its
    expiry if new, then incremented), elsewhere the cache's add, then incr."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        full = backend.make_and_validate_key(key)
        with backend._cache.get_client(full, write=True).pipeline(transaction=False) as pipe:
            pipe.set(full, 0, ex=timeout, nx=True)
            pipe.incr(full)
            return pipe.execute()[1]
    if backend.add(key, 1, timeout=timeout):
        return 1
    try:
        return backend.incr(key)
    except ValueError:  # expired between add and incr
        backend.add(key, 1, timeout=timeout)
        return 1


def peek(scope: str, subject: str, window: int) -> Window:
    """The attempts of `subject` counted so far in the current window."""
    start, retry = _window(window)
    try:
        return Window(cache.get(_key(scope, subject, start), 0), retry)
    except Exception:
        logger.warning("throttle: the cache is unreachable, %s not read", scope)
        return Window(0, retry)


def forget(scope: str, subject: str, window: int) -> None:
    start, _retry = _window(window)
    try:
        cache.delete(_key(scope, subject, start))
    except Exception:
        logger.warning("throttle: the cache is unreachable, %s not reset", scope)


# -- logging in ---------------------------------------------------------------------------


def _login_subjects(username: str, address: str) -> list[tuple[str, str, int]]:
    return [
        ("login-account", username.strip().lower(), settings.LOGIN_MAX_FAILURES_PER_ACCOUNT),
        ("login-address", address, settings.LOGIN_MAX_FAILURES_PER_ADDRESS),
    ]


def check_login(username: str, address: str) -> None:
    """Refuse a login attempt (before any password is checked) once too many have failed
    for this account, from wherever, or from this address, for whichever account."""
    window = settings.LOGIN_FAILURE_WINDOW
    for scope, subject, limit in _login_subjects(username, address):
        seen = peek(scope, subject, window)
        if seen.count >= limit:
            minutes = math.ceil(seen.retry_after / 60)
            raise ServiceError(
                ErrorCode.RATE_LIMITED,
                gettext("Trop de tentatives de connexion : réessayez dans %(minutes)d minute(s).")
                % {"minutes": minutes},
                {"retry_after": seen.retry_after},
            )


def login_failed(username: str, address: str) -> None:
    for scope, subject, _limit in _login_subjects(username, address):
        hit(scope, subject, settings.LOGIN_FAILURE_WINDOW)


def login_succeeded(username: str) -> None:
    """The account's count starts again; the address's does not (it may try many)."""
    scope, subject, _limit = _login_subjects(username, "")[0]
    forget(scope, subject, settings.LOGIN_FAILURE_WINDOW)
