"""The registry of topic kinds: who may subscribe, and what clients may send on them.

Each app registers its kinds from its `AppConfig.ready()`:

    register_topic("forum", authorize=forum_decision)
    register_topic("classroom", authorize=room_decision, handlers={"chat.message": post})

`authorize(user, object_id)` returns a `parcours.policies.Decision` (a denial with
`ErrorCode.NOT_FOUND` for an unknown id, never an exception). A handler
`fn(user, object_id, data)` validates `data`, calls a service that publishes, and returns the
seq of the durable event it produced (None for an ephemeral one); it raises `ServiceError`
to refuse. The gateway calls both from a worker thread, so they may use the ORM.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from parcours.errors import ErrorCode, ServiceError
from parcours.policies import Decision

Authorize = Callable[[Any, int], Decision]
Handler = Callable[[Any, int, dict], "int | None"]

TOPIC_PATTERN = re.compile(r"^([a-z][a-z_]{0,30}):([1-9][0-9]{0,17})$")


@dataclass(frozen=True)
class TopicKind:
    name: str
    authorize: Authorize
    handlers: Mapping[str, Handler] = field(default_factory=dict)
    # Whether subscribers are listed in the topic's presence (who is here right now).
    presence: bool = True


_kinds: dict[str, TopicKind] = {}


def register_topic(
    name: str,
    *,
    authorize: Authorize,
    handlers: Mapping[str, Handler] | None = None,
    presence: bool = True,
) -> None:
    """Declare a topic kind `name:<id>`. Registering the same name twice is a bug."""
    if not re.fullmatch(r"[a-z][a-z_]{0,30}", name):
        raise ValueError(f"invalid topic kind {name!r}")
    if name in _kinds and _kinds[name].authorize is not authorize:
        raise ValueError(f"topic kind {name!r} is already registered")
    _kinds[name] = TopicKind(name, authorize, dict(handlers or {}), presence)


def registered_kinds() -> list[str]:
    return sorted(_kinds)


@dataclass(frozen=True)
class Topic:
    kind: TopicKind
    object_id: int

    def __str__(self) -> str:
        return f"{self.kind.name}:{self.object_id}"


def parse_topic(value: Any) -> Topic:
    """The registered topic `value` names, or a `ServiceError` a client can act on."""
    if not isinstance(value, str):
        raise ServiceError(
            ErrorCode.INVALID, "Le sujet doit être une chaîne « type:id ».", {"field": "topic"}
        )
    match = TOPIC_PATTERN.match(value)
    if match is None:
        raise ServiceError(
            ErrorCode.INVALID, f"Sujet mal formé : « {value[:80]} ».", {"field": "topic"}
        )
    kind = _kinds.get(match.group(1))
    if kind is None:
        raise ServiceError(
            ErrorCode.NOT_FOUND,
            f"Type de sujet inconnu : « {match.group(1)} ».",
            {"field": "topic"},
        )
    return Topic(kind, int(match.group(2)))


def authorize(user: Any, topic: Topic) -> Decision:
    """Ask the topic kind whether `user` may receive `topic` now."""
    return topic.kind.authorize(user, topic.object_id)


def handler_for(topic: Topic, event_type: Any) -> Handler:
    """The handler for a client `send` of `event_type` on `topic`, looked up, never built."""
    handler = topic.kind.handlers.get(event_type) if isinstance(event_type, str) else None
    if handler is None:
        raise ServiceError(
            ErrorCode.INVALID,
            f"Ce sujet n'accepte pas d'envoi de type « {str(event_type)[:60]} ».",
            {"field": "type"},
        )
    return handler
