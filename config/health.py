"""Which of the services Préau depends on answers: `GET /health`, and the warning at startup.

The database is needed for everything. Redis (when `REDIS_URL` is set) carries the cache and
the realtime bus between processes; without it the service keeps serving: writes commit, the
cache is skipped, and the events committed meanwhile are delivered from the outbox (the stored
events) once the bus is back. `/health` says which is down so that a load balancer or a
person can tell, in JSON: 200 when everything answers, 503 otherwise.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

OK, DOWN, NOT_CONFIGURED = "ok", "down", "not_configured"


def _database() -> tuple[str, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return OK, ""
    except Exception as exc:
        return DOWN, f"{type(exc).__name__}: {exc}"


def _redis() -> tuple[str, str]:
    if not settings.REDIS_URL:
        return NOT_CONFIGURED, ""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
        return OK, ""
    except redis.RedisError as exc:
        return DOWN, f"{type(exc).__name__}: {exc}"
    finally:
        client.close()


CHECKS = {"database": _database, "redis": _redis}


def services() -> dict[str, tuple[str, str]]:
    """Each service's state (`ok`, `down`, `not_configured`) and the error when down."""
    return {name: check() for name, check in CHECKS.items()}


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    states = services()
    down = sorted(name for name, (state, _) in states.items() if state == DOWN)
    body = {
        "status": "degraded" if down else "ok",
        "services": {name: state for name, (state, _) in states.items()},
        "down": down,
    }
    return JsonResponse(body, status=503 if down else 200)


def warn_if_down() -> None:
    """At startup: say clearly which service is unreachable, and what that means."""
    for name, (state, error) in services().items():
        if state != DOWN:
            continue
        if name == "redis":
            logger.warning(
                "Redis unreachable at startup (%s): serving without it. Writes commit, the "
                "cache is skipped, live events wait in the outbox until Redis is back; "
                "GET /health answers 503 meanwhile.",
                error,
            )
        else:
            logger.warning("%s unreachable at startup (%s).", name, error)
