"""The forums' settings, each overridable in Django settings as `FORUMS_<NAME>`."""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Authors may edit their own post for this long; moderators at any time.
    "EDIT_WINDOW_MINUTES": 30,
    # (how many, per how many seconds), per person.
    "POST_RATE": (20, 60),
    "LIKE_RATE": (60, 60),
    # The upload route's body limit follows (parcours.attachments.upload_route).
    "ATTACHMENT_MAX_BYTES": 512 * 1024,
    "ATTACHMENTS_PER_POST": 5,
    "BODY_MAX_CHARS": 20_000,
}


def setting(name: str) -> Any:
    return getattr(settings, f"FORUMS_{name}", DEFAULTS[name])
