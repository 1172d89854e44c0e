"""A client's `send`, by tier.

Durable: the kind's handler runs on the database pool, behind the shared send limit, and calls
a service that publishes; the ack carries the seq that publish took. Ephemeral: nothing of the
database: the subscription (and `authorize_send`, asked when it began) is the permission, a
per-socket budget the limit, and the frame is relayed, or given to the kind's async handler.
A handler is looked up in the kind's tables, never built from the client's type.
"""

from __future__ import annotations

from pydantic import ValidationError

from parcours.errors import ErrorCode, ServiceError

from . import db, publishing, topics
from .connection import Connection, Subscription
from .hub import Hub
from .relaying import deliver


def subscription_for(conn: Connection, topic: str) -> Subscription:
    sub = conn.subscriptions.get(topic)
    if sub is None:
        topics.parse_topic(topic)
        raise ServiceError(
            ErrorCode.FORBIDDEN, "Abonnez-vous au sujet avant d'y envoyer.", {"field": "topic"}
        )
    return sub


def _invalid_data(exc: ValidationError) -> ServiceError:
    """A handler that lets its event model validate `data`: name the field as the client sent it."""
    first = exc.errors()[0]
    field = ".".join(["data", *(str(part) for part in first["loc"])])
    return ServiceError(
        ErrorCode.INVALID, f"Champ « {field} » invalide : {first['msg']}", {"field": field}
    )


async def send_durable(
    hub: Hub, conn: Connection, sub: Subscription, event_type: str, data: dict
) -> int | None:
    """Run the durable handler; returns the seq of the last event it published on the topic."""
    handler = sub.topic.kind.durable.get(event_type)
    if handler is None:
        raise topics.refused_type(event_type)
    topic = str(sub.topic)
    await hub.limiter.take(conn.user_id, topic)
    sender = topics.Sender(conn.user, conn.id, sub.topic)

    def run() -> int | None:
        with publishing.numbered() as taken:
            handler(sender, data)
        return next((seq for t, seq in reversed(taken) if t == topic), None)

    try:
        return await db.run(run)
    except ValidationError as exc:
        raise _invalid_data(exc) from None


async def send_ephemeral(
    conn: Connection,
    sub: Subscription,
    spec: topics.Ephemeral,
    event_type: str,
    data: dict | bytes,
    *,
    to: str | None,
    size: int,
) -> None:
    """Relay the frame (or run the kind's async handler) on the event loop."""
    if sub.may_send is not None and not sub.may_send:
        raise ServiceError(sub.may_send.code or ErrorCode.FORBIDDEN, sub.may_send.message)
    if size > spec.max_bytes:
        raise ServiceError(
            ErrorCode.TOO_LARGE,
            f"Trame trop volumineuse pour « {event_type} ».",
            {"max_bytes": spec.max_bytes},
        )
    if isinstance(data, bytes) and not spec.binary:
        raise ServiceError(
            ErrorCode.INVALID, f"« {event_type} » s'envoie en trame texte JSON.", {"field": "type"}
        )
    if to is not None and not spec.directed:
        raise ServiceError(
            ErrorCode.INVALID,
            f"« {event_type} » ne s'adresse pas à un destinataire.",
            {"field": "to"},
        )
    conn.take_token(sub, spec)
    sender = topics.Sender(conn.user, conn.id, sub.topic)
    if spec.handler is None:
        await deliver(
            str(sub.topic),
            event_type,
            data,
            origin=conn.id,
            user_id=conn.user_id,
            to=to,
            echo=spec.echo,
        )
        return
    try:
        await spec.handler(sender, data)
    except ValidationError as exc:
        raise _invalid_data(exc) from None
