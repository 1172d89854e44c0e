"""What the gateway does for each client op, and when a session's access changes.

The consumer parses frames; these functions follow the rules: every subscription asks the
topic's `authorize` (hence `parcours.policies`) first, sends go through the topic kind's
registered handler, never a name built from the client's type.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from pydantic import ValidationError

from parcours.errors import ErrorCode, ServiceError
from parcours.policies import ALLOWED, Decision

from . import conf, db, topics
from .bus import CONTROL, get_bus
from .connection import Connection, Subscription
from .events import PresenceState
from .hub import Hub
from .publishing import encode

logger = logging.getLogger(__name__)


def authorize_own_topic(user: Any, object_id: int) -> Decision:
    """`user:<id>` is for that user alone."""
    if user.is_authenticated and user.pk == object_id:
        return ALLOWED
    return Decision(False, ErrorCode.FORBIDDEN, "Ce fil personnel ne vous appartient pas.")


async def subscribe(
    hub: Hub, conn: Connection, *, topic: str, since: int | None, presence: bool
) -> int:
    """Follow `topic` (replaying after `since`); returns the seq the client is now at."""
    parsed = topics.parse_topic(topic)
    if topic in conn.subscriptions:
        raise ServiceError(ErrorCode.CONFLICT, "Vous suivez déjà ce sujet.", {"field": "topic"})
    if len(conn.subscriptions) >= conf.get("REALTIME_MAX_SUBSCRIPTIONS"):
        raise ServiceError(
            ErrorCode.RATE_LIMITED,
            "Trop de sujets suivis sur cette connexion.",
            {"max_subscriptions": conf.get("REALTIME_MAX_SUBSCRIPTIONS")},
        )
    await conn.authorize(parsed)
    sub = conn.subscriptions[topic] = Subscription(parsed)
    try:
        await _start(hub, conn, sub, since=since, presence=presence)
    except BaseException:
        conn.subscriptions.pop(topic, None)
        hub.leave(conn, topic)
        raise
    conn.release(sub)
    return sub.last_seq


async def _start(
    hub: Hub, conn: Connection, sub: Subscription, *, since: int | None, presence: bool
) -> None:
    """Join the topic's feed, replay after `since`, and enter its presence."""
    topic = str(sub.topic)
    feed = await hub.join(conn, topic)
    if since is None:
        sub.last_seq = feed.delivered or 0
    else:
        sub.last_seq = since
        await conn.replay(sub, since)
    if sub.topic.kind.presence:
        if presence:
            # Watching before the state is read: an arrival after it is never missed (the
            # subscription holds those frames until the state has gone out).
            hub.watch(conn, topic)
        await hub.presence.add(conn, topic)
        if presence:
            state = PresenceState(users=await hub.presence.members(topic))
            conn.push(encode(topic, None, state))


async def unsubscribe(hub: Hub, conn: Connection, *, topic: str) -> None:
    sub = conn.subscriptions.pop(topic, None)
    if sub is None:
        raise ServiceError(ErrorCode.NOT_FOUND, "Vous ne suivez pas ce sujet.", {"field": "topic"})
    hub.leave(conn, topic)
    if sub.topic.kind.presence:
        await hub.presence.remove(conn, topic)


async def disconnect(hub: Hub, conn: Connection) -> None:
    """Take a closed socket out of the hub, its feeds and presence, whatever fails on the way."""
    conn.closed = True
    hub.connections.pop(conn, None)
    subscriptions, conn.subscriptions = conn.subscriptions, {}
    for topic in subscriptions:
        hub.leave(conn, topic)
    for topic, sub in subscriptions.items():
        if sub.topic.kind.presence and not hub.stopped:
            try:
                await hub.presence.remove(conn, topic)
            except Exception:  # Redis away: the entry expires with the heartbeat it no longer gets
                logger.warning("realtime: presence on %s not withdrawn", topic)


async def send(
    hub: Hub, conn: Connection, *, topic: str, event_type: str, data: dict
) -> int | None:
    """Run the topic kind's handler for a client event; returns the seq it produced."""
    sub = conn.subscriptions.get(topic)
    if sub is None:
        topics.parse_topic(topic)
        raise ServiceError(
            ErrorCode.FORBIDDEN, "Abonnez-vous au sujet avant d'y envoyer.", {"field": "topic"}
        )
    handler = topics.handler_for(sub.topic, event_type)
    await hub.limiter.take(conn.user_id, topic)
    try:
        return await db.run(handler, conn.user, sub.topic.object_id, data)
    except ValidationError as exc:  # a handler that lets its event model validate `data`
        first = exc.errors()[0]
        field = ".".join(["data", *(str(part) for part in first["loc"])])
        raise ServiceError(
            ErrorCode.INVALID, f"Champ « {field} » invalide : {first['msg']}", {"field": field}
        ) from None


def on_access_changed(sender: Any, session_id: int, user_ids: list[int] | None, **kw) -> None:
    """`parcours.signals.access_changed`: tell every process to re-check those sockets."""
    notice = {"kind": "access", "session_id": session_id, "user_ids": user_ids}
    get_bus().publish(CONTROL, json.dumps(notice))


def on_access_notice(hub: Hub, conn: Connection) -> None:
    """Hold the socket's live frames at once, then re-ask `authorize` for each topic."""
    held = list(conn.subscriptions.items())
    for _topic, sub in held:
        conn.hold(sub)
    hub.loop.create_task(_recheck(hub, conn, held))


async def _recheck(hub: Hub, conn: Connection, held: list[tuple[str, Subscription]]) -> None:
    for topic, sub in held:
        try:
            await conn.authorize(sub.topic)
        except ServiceError as exc:
            if conn.subscriptions.get(topic) is sub:
                await unsubscribe(hub, conn, topic=topic)
                conn.error(exc, topic=topic)
            continue
        conn.release(sub)
