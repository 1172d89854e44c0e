"""Rate limits on posting and liking, counted in Django's cache (Redis when configured)."""

import math
import time

from django.core.cache import cache

from parcours.errors import ErrorCode, ServiceError

from .conf import setting

MESSAGES = {
    "post": "Vous publiez trop vite : réessayez dans {retry} s.",
    "like": "Trop de « J'aime » d'affilée : réessayez dans {retry} s.",
}


def hit(scope: str, user_id: int) -> None:
    """Count one `scope` action by `user_id`; raise `rate_limited` past the window's quota."""
    limit, window = setting(f"{scope.upper()}_RATE")
    now = time.time()
    start = int(now // window) * window
    key = f"forums:rate:{scope}:{user_id}:{start}"
    if cache.add(key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window + 1)
            count = 1
    if count > limit:
        retry = max(1, math.ceil(start + window - now))
        raise ServiceError(
            ErrorCode.RATE_LIMITED,
            MESSAGES[scope].format(retry=retry),
            {"retry_after": retry, "limit": limit, "window_seconds": window},
        )
