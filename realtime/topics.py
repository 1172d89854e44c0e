"""The registry of topic kinds: who may subscribe, and what clients may send on them, per tier.

Each app registers its kinds from its `AppConfig.ready()`:

    register_topic(
        "classroom",
        authorize=room_decision,                    # may this user follow classroom:<id>?
        durable={"chat.message": post_chat},        # stored, numbered, replayed
        ephemeral={                                 # not stored: no row, no sequence, no lock
            "hand.raise": Ephemeral(handler=raise_hand),
            "rtc.signal": Ephemeral(directed=True, max_bytes=16_384),
        },
        authorize_send=room_send_decision,          # asked once per subscription
        announce_connections=True,                  # connection.joined / connection.left
    )

`authorize(user, object_id)` returns a `parcours.policies.Decision` (a denial with
`ErrorCode.NOT_FOUND` for an unknown id, never an exception); the gateway calls it, and
`authorize_send`, on its database pool, once per subscription and again when access changes.

A durable handler `fn(sender, data)` runs on the database pool: it validates `data` and calls a
service that publishes; the client's ack carries the seq that publish took on the topic. It
raises `ServiceError` to refuse. An ephemeral type either relays the client's data as sent
(no handler), or runs `async fn(sender, data)` on the event loop, which must not touch the
database and calls `realtime.relay` itself. See docs/realtime.md.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from parcours import audit
from parcours.errors import ErrorCode, ServiceError
from parcours.policies import Decision

Authorize = Callable[[Any, int], Decision]
DurableHandler = Callable[["Sender", dict], object]
EphemeralHandler = Callable[["Sender", "dict | bytes"], Awaitable[None]]

TOPIC_PATTERN = re.compile(r"^([a-z][a-z_]{0,30}):([1-9][0-9]{0,17})$")
KIND_PATTERN = re.compile(r"[a-z][a-z_]{0,30}")


@dataclass(frozen=True, slots=True)
class Ephemeral:
    """A client event type of the fast tier: relayed at once, never stored or numbered."""

    # `async fn(sender, data)` on the event loop; None relays the client's data as sent.
    handler: EphemeralHandler | None = None
    # Largest client frame of this type, text or binary, in bytes.
    max_bytes: int = 4096
    # Whether clients may send it as a binary frame (CRDT updates); data is then bytes.
    binary: bool = False
    # Whether a frame may name one recipient with `to` (a connection id or a server peer);
    # directed types are relayed as sent, so they have no handler.
    directed: bool = False
    # Whether the sender receives its own broadcast back.
    echo: bool = False
    # Frames a second per socket and topic, with a burst; None: the gateway's defaults.
    rate: float | None = None
    burst: int | None = None


@dataclass(frozen=True, slots=True)
class TopicKind:
    name: str
    authorize: Authorize
    durable: Mapping[str, DurableHandler] = field(default_factory=dict)
    ephemeral: Mapping[str, Ephemeral] = field(default_factory=dict)
    # Who may send ephemeral frames (the subscription alone when None).
    authorize_send: Authorize | None = None
    # Whether subscribers are listed in the topic's presence (who is here right now).
    presence: bool = True
    # Whether sockets arriving and leaving are announced to the topic, with their ids.
    announce_connections: bool = False
    # Whether presence names who is here (a live class), or only counts them (a forum
    # discussion, where a trainer must not watch a participant arrive): `presence.count`.
    presence_names: bool = True


@dataclass(frozen=True, slots=True)
class Topic:
    kind: TopicKind
    object_id: int

    def __str__(self) -> str:
        return f"{self.kind.name}:{self.object_id}"


@dataclass(frozen=True, slots=True)
class Sender:
    """Who sent a client frame: the person, and the socket, by an id valid in every process."""

    user: Any
    connection_id: str
    topic: Topic

    @property
    def user_id(self) -> int:
        return self.user.pk

    @property
    def object_id(self) -> int:
        return self.topic.object_id


_kinds: dict[str, TopicKind] = {}


def register_topic(
    name: str,
    *,
    authorize: Authorize,
    durable: Mapping[str, DurableHandler] | None = None,
    ephemeral: Mapping[str, Ephemeral] | None = None,
    authorize_send: Authorize | None = None,
    presence: bool = True,
    announce_connections: bool = False,
    presence_names: bool = True,
) -> None:
    """Declare a topic kind `name:<id>`. Registering the same name twice is a bug."""
    if not KIND_PATTERN.fullmatch(name):
        raise ValueError(f"invalid topic kind {name!r}")
    if name in _kinds and _kinds[name].authorize is not authorize:
        raise ValueError(f"topic kind {name!r} is already registered")
    both = set(durable or {}) & set(ephemeral or {})
    if both:
        raise ValueError(f"types both durable and ephemeral on {name!r}: {sorted(both)}")
    if any(spec.directed and spec.handler for spec in (ephemeral or {}).values()):
        raise ValueError(f"directed types of {name!r} are relayed as sent, without a handler")
    _kinds[name] = TopicKind(
        name,
        authorize,
        dict(durable or {}),
        dict(ephemeral or {}),
        authorize_send,
        presence,
        announce_connections,
        presence_names,
    )


def registered_kinds() -> list[str]:
    return sorted(_kinds)


def max_binary_bytes() -> int:
    """The largest binary frame any kind accepts (0: binary frames are refused)."""
    sizes = [s.max_bytes for k in _kinds.values() for s in k.ephemeral.values() if s.binary]
    return max(sizes, default=0)


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


def access(user: Any, topic: Topic) -> tuple[Decision, Decision | None]:
    """Whether `user` may receive `topic` now and, if it has ephemeral types, send on it."""
    kind = topic.kind
    read = kind.authorize(user, topic.object_id)
    # An administrator following a topic under an access grant: in the session's audit log.
    audit.record_read(
        actor=user, decision=read, kind=f"live:{kind.name}", object_id=topic.object_id
    )
    if not read or not kind.ephemeral or kind.authorize_send is None:
        return read, None
    return read, kind.authorize_send(user, topic.object_id)


def refused_type(event_type: Any) -> ServiceError:
    return ServiceError(
        ErrorCode.INVALID,
        f"Ce sujet n'accepte pas d'envoi de type « {str(event_type)[:60]} ».",
        {"field": "type"},
    )
