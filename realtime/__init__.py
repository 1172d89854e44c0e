"""The realtime gateway: every app publishes through `realtime.publish`."""

from .publishing import publish

__all__ = ["publish"]
