"""Room statuses other apps add to what everyone in a classroom sees (e.g. "recording").

`recordings/` registers, from its `AppConfig.ready()`:

    register_status("recording", lambda classroom_id: {"active": True} or None)

and `GET /api/v1/classrooms/{id}` and the classroom page include every provider's answer
under `status`, so that someone joining late sees a recording in progress. The live side is
the provider's own events on `classroom:<id>` (`recording.started`, `recording.stopped`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

StatusProvider = Callable[[int], "dict[str, Any] | None"]

_providers: dict[str, StatusProvider] = {}


def register_status(name: str, provider: StatusProvider) -> None:
    if name in _providers and _providers[name] is not provider:
        raise ValueError(f"a classroom status named {name!r} is already registered")
    _providers[name] = provider


def unregister_status(name: str) -> None:
    _providers.pop(name, None)


def statuses(classroom_id: int) -> dict[str, Any]:
    found = {}
    for name, provider in _providers.items():
        try:
            value = provider(classroom_id)
        except Exception:
            logger.exception("classroom status %r failed", name)
            continue
        if value is not None:
            found[name] = value
    return found
