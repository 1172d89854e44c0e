"""The realtime gateway: every app publishes through `realtime.publish`
(`publish_many` for one event on many topics)."""

from typing import Any

__all__ = ["apublish", "publish", "publish_many"]


def __getattr__(name: str) -> Any:
    # Imported on first use: `publishing` needs the models, which load after this package.
    if name in __all__:
        from . import publishing

        return getattr(publishing, name)
    raise AttributeError(f"module 'realtime' has no attribute {name!r}")
