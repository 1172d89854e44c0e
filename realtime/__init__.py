"""The realtime gateway: every app publishes through `realtime.publish` (durable events, and
ephemeral ones after a commit; `publish_many` and `publish_each` for many topics at once) or
`realtime.relay` (ephemeral, now, from async code); server components take part in a topic
with `realtime.attach` (see docs/realtime.md)."""

from typing import Any

# Imported on first use: `publishing` needs the models, which load after this package.
_EXPORTS = {
    "apublish": "publishing",
    "expose_heads": "heads",
    "publish": "publishing",
    "publish_each": "publishing",
    "publish_many": "publishing",
    "relay": "relaying",
    "relay_bytes": "relaying",
    "attach": "peers",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'realtime' has no attribute {name!r}")
