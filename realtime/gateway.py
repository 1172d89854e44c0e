"""What the gateway does for each client op, and when a session's access changes.

The consumer parses frames; these functions follow the rules: every subscription asks the
topic's `authorize` (hence `parcours.policies`) first, sends go through the topic kind's
tables (`sending.py`), never a name built from the client's type.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.utils import timezone

from parcours.errors import ErrorCode, ServiceError
from parcours.policies import ALLOWED, Decision

from . import conf, sending, topics
from .bus import CONTROL, get_bus
from .connection import Connection, Subscription
from .events import PresenceCount, PresenceState
from .hub import Hub
from .publishing import encode
from .relaying import deliver

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
    conn.take_op_token()
    parsed = topics.parse_topic(topic)
    if topic in conn.subscriptions:
        raise ServiceError(ErrorCode.CONFLICT, "Vous suivez déjà ce sujet.", {"field": "topic"})
    if len(conn.subscriptions) >= conf.get("REALTIME_MAX_SUBSCRIPTIONS"):
        raise ServiceError(
            ErrorCode.RATE_LIMITED,
            "Trop de sujets suivis sur cette connexion.",
            {"max_subscriptions": conf.get("REALTIME_MAX_SUBSCRIPTIONS")},
        )
    sub = Subscription(parsed)
    await conn.authorize(sub)
    conn.subscriptions[topic] = sub
    try:
        await _start(hub, conn, sub, since=since, presence=presence)
    except BaseException:
        conn.subscriptions.pop(topic, None)
        hub.leave(conn, topic)
        raise
    conn.release(sub)
    _watch_lapse(hub, conn, topic, sub)
    if parsed.kind.announce_connections:
        await _announce(hub, conn, topic, "connection.joined")
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
        named = sub.topic.kind.presence_names
        if presence:
            # Watching before the state is read: an arrival after it is never missed (the
            # subscription holds those frames until the state has gone out).
            hub.watch(conn, topic, named=named)
        await hub.presence.add(conn, topic)
        if presence:
            users = await hub.presence.members(topic)
            state = PresenceState(users=users) if named else PresenceCount(count=len(users))
            conn.push(encode(topic, None, state))


async def _announce(hub: Hub, conn: Connection, topic: str, event_type: str) -> None:
    """Tell a topic's other members (sockets and server peers) a socket came or went."""
    if not hub.stopped:
        await deliver(topic, event_type, {}, origin=conn.id, user_id=conn.user_id, echo=False)


async def unsubscribe(hub: Hub, conn: Connection, *, topic: str) -> None:
    conn.take_op_token()
    await leave(hub, conn, topic=topic)


async def leave(hub: Hub, conn: Connection, *, topic: str) -> None:
    """Stop following `topic` (the client asked, or its access was withdrawn)."""
    sub = conn.subscriptions.pop(topic, None)
    if sub is None:
        raise ServiceError(ErrorCode.NOT_FOUND, "Vous ne suivez pas ce sujet.", {"field": "topic"})
    _unwatch_lapse(sub)
    hub.leave(conn, topic)
    try:
        await _withdraw(hub, conn, topic, sub)
    except Exception:  # Redis away: presence expires with the heartbeat it no longer gets
        logger.warning("realtime: departure from %s not announced", topic)


async def _withdraw(hub: Hub, conn: Connection, topic: str, sub: Subscription) -> None:
    """What the other processes hear of a socket that stopped following `topic`."""
    if sub.topic.kind.presence and not hub.stopped:
        await hub.presence.remove(conn, topic)
    if sub.topic.kind.announce_connections:
        await _announce(hub, conn, topic, "connection.left")


async def disconnect(hub: Hub, conn: Connection) -> None:
    """Take a closed socket out of the hub, its feeds and presence, whatever fails on the way."""
    conn.closed = True
    hub.connections.pop(conn.id, None)
    subscriptions, conn.subscriptions = conn.subscriptions, {}
    for topic, sub in subscriptions.items():
        _unwatch_lapse(sub)
        hub.leave(conn, topic)
    for topic, sub in subscriptions.items():
        try:
            await _withdraw(hub, conn, topic, sub)
        except Exception:  # Redis away: presence expires with the heartbeat it no longer gets
            logger.warning("realtime: departure from %s not announced", topic)
    try:
        await hub.sockets.leave(conn.user_id, conn.id)
    except Exception:  # Redis away: the count of this process is dropped with its liveness
        logger.warning("realtime: socket %s not uncounted", conn.id)


async def send(
    hub: Hub,
    conn: Connection,
    *,
    topic: str,
    event_type: str,
    data: dict | bytes,
    to: str | None = None,
    size: int = 0,
) -> int | None:
    """A client event, by its tier; returns the seq of a durable one (None: ephemeral)."""
    sub = sending.subscription_for(conn, topic)
    spec = sub.topic.kind.ephemeral.get(event_type)
    if spec is not None:
        await sending.send_ephemeral(conn, sub, spec, event_type, data, to=to, size=size)
        return None
    if (to is not None or isinstance(data, bytes)) and event_type in sub.topic.kind.durable:
        raise ServiceError(
            ErrorCode.INVALID,
            f"« {event_type} » est enregistré pour tous : ni destinataire, ni binaire.",
            {"field": "to" if to is not None else "type"},
        )
    return await sending.send_durable(hub, conn, sub, event_type, data)


def on_access_changed(sender: Any, session_id: int, user_ids: list[int] | None, **kw) -> None:
    """`parcours.signals.access_changed`: tell every process to re-check those sockets."""
    notice = {"kind": "access", "session_id": session_id, "user_ids": user_ids}
    try:
        get_bus().publish(CONTROL, json.dumps(notice))
    except Exception:
        # Sent after a commit: Redis away must not fail it. Every hub re-checks all its
        # subscriptions when its bus comes back (`Hub.catch_up`), so none outlives the change.
        logger.warning("realtime: access change of session %s not broadcast", session_id)


def on_access_notice(hub: Hub, notice: dict[str, Any]) -> None:
    """Re-check the subscriptions an access change may touch, and only those.

    A change for some people (a member removed) re-checks their subscriptions in that
    session, and those decided outside any session; a change for everyone in a session (its
    content closed after the end) re-checks the subscriptions decided in that session, on
    whichever sockets hold them. Without a session (a standalone space), the people's every
    subscription.
    """
    session_id, user_ids = notice.get("session_id"), notice.get("user_ids")
    people = None if user_ids is None else set(user_ids)
    for conn in list(hub.connections.values()):
        if people is not None and conn.user_id not in people:
            continue
        touched = [
            (topic, sub)
            for topic, sub in conn.subscriptions.items()
            if session_id is None
            or sub.session_id == session_id
            or (people is not None and sub.session_id is None)
        ]
        if touched:
            ask_again(hub, conn, touched)


def ask_again(hub: Hub, conn: Connection, subs: list[tuple[str, Subscription]]) -> None:
    """Hold the subscriptions' live frames at once, then re-ask `authorize` for each."""
    for _topic, sub in subs:
        conn.hold(sub)
    hub.loop.create_task(_recheck(hub, conn, subs))


async def _recheck(hub: Hub, conn: Connection, held: list[tuple[str, Subscription]]) -> None:
    for topic, sub in held:
        try:
            await conn.authorize(sub)
        except Exception as exc:  # refused, or the database away: access is not assumed
            if not isinstance(exc, ServiceError):
                logger.exception("realtime: access to %s could not be checked again", topic)
                exc = ServiceError(ErrorCode.INTERNAL, "Accès à vérifier : abonnez-vous à nouveau.")
            if conn.subscriptions.get(topic) is sub:
                await leave(hub, conn, topic=topic)
                conn.error(exc, topic=topic)
            continue
        conn.release(sub)
        if conn.subscriptions.get(topic) is sub:
            _watch_lapse(hub, conn, topic, sub)


# Seconds past a lapse instant before asking again: the loop's timer may fire a hair early.
LAPSE_MARGIN = 0.05


def _watch_lapse(hub: Hub, conn: Connection, topic: str, sub: Subscription) -> None:
    """Ask again at the instant the subscription's access may lapse by time alone (an
    access grant's expiry, the session's end): no notice is sent when time passes."""
    _unwatch_lapse(sub)
    if sub.until is None:
        return
    delay = max(0.0, (sub.until - timezone.now()).total_seconds()) + LAPSE_MARGIN
    sub.lapse = hub.loop.call_later(delay, ask_again, hub, conn, [(topic, sub)])


def _unwatch_lapse(sub: Subscription) -> None:
    if sub.lapse is not None:
        sub.lapse.cancel()
        sub.lapse = None
