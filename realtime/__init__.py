"""The realtime gateway: every app publishes through `realtime.publish`
(`publish_many` and `publish_each` for many topics at once)."""

from typing import Any

__all__ = ["apublish", "publish", "publish_each", "publish_many"]


def __getattr__(name: str) -> Any:
    # Imported on first use: `publishing` needs the models, which load after this package.
    if name in __all__:
        from . import publishing

        return getattr(publishing, name)
    raise AttributeError(f"module 'realtime' has no attribute {name!r}")
