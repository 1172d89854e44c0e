"""Rate limits on posting and liking, counted by `parcours.throttle` in Django's cache."""

from parcours import throttle
from parcours.errors import ErrorCode, ServiceError

from .conf import setting

MESSAGES = {
    "post": "Vous publiez trop vite : réessayez dans {retry} s.",
    "like": "Trop de « J'aime » d'affilée : réessayez dans {retry} s.",
}


def hit(scope: str, user_id: int) -> None:
    """Count one `scope` action by `user_id`; raise `rate_limited` past the window's quota."""
    limit, window = setting(f"{scope.upper()}_RATE")
    counted = throttle.hit(f"forums-{scope}", str(user_id), window)
    if counted.count > limit:
        raise ServiceError(
            ErrorCode.RATE_LIMITED,
            MESSAGES[scope].format(retry=counted.retry_after),
            {"retry_after": counted.retry_after, "limit": limit, "window_seconds": window},
        )
