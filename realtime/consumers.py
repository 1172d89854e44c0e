"""The `/ws/` endpoint: parses each client frame (`protocol.py`) and hands it to the gateway.

Answers: `subscribed` (with the seq the client is at), `unsubscribed`, `ack` (with the seq of
a durable event; for an ephemeral one only when the client gave a `ref`), `error` (code,
message, details.field); `resync` when the client must reload a topic's state. Events:
`{"topic", "seq"?, "type", "data"}`. A bad frame gets an `error` frame naming the problem
and changes nothing, and so does a failure of the server's own (`internal`): the socket
stays open. Fan-out does not use the channel layer's groups (see `hub.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from parcours import selectors as parcours_selectors
from parcours.errors import ErrorCode, ServiceError

from . import db, gateway, limits, protocol
from .connection import WRITE_TEXT, Connection, Frame
from .hub import current_hub, release_hub

logger = logging.getLogger(__name__)

# Close code for a socket without a valid session cookie or token.
CLOSE_UNAUTHENTICATED = 4401
# The gateway could not start in this process (a service it needs is away): retry later.
CLOSE_TRY_AGAIN = 1013
# Close code for a socket past its account's REALTIME_MAX_SOCKETS_PER_USER (after an error frame).
CLOSE_TOO_MANY_SOCKETS = 4429

INTERNAL = ServiceError(
    ErrorCode.INTERNAL, "Erreur interne : rien n'a été modifié, réessayez plus tard."
)
UNAVAILABLE = ServiceError(
    ErrorCode.UNAVAILABLE,
    "Le direct est momentanément indisponible : rien n'a été modifié, réessayez bientôt.",
)
# Redis away (or hanging): the client is told to retry, not that the server is broken.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


class GatewayConsumer:
    """One socket at `/ws/`, from its handshake to its end (an ASGI application).

    The server's messages are read here, one at a time, rather than by channels' consumer
    loop, which keeps a task per socket waiting on `receive` and sends every client frame
    through the process's one sync thread to close database connections: this consumer
    opens none (its database work runs on `realtime.db`'s pool, which closes them as
    channels does), and a busy sync thread must not hold every socket's frames back.
    """

    __slots__ = ("base_send", "conn", "hub", "scope")

    @classmethod
    def as_asgi(cls):
        async def app(scope, receive, send) -> None:
            await cls()(scope, receive, send)

        return app

    async def __call__(self, scope, receive, send) -> None:
        """The socket's whole life: whatever ends it (close, crash, server shutdown), the
        connection leaves the hub, its feeds and presence here, and only here."""
        self.scope, self.base_send = scope, send
        try:
            while True:
                message = await receive()
                kind = message["type"]
                if kind == "websocket.receive":
                    await self.receive(message.get("text"), message.get("bytes"))
                elif kind == "websocket.connect":
                    await self.connect()
                elif kind == "websocket.disconnect":
                    return
        finally:
            if hasattr(self, "conn"):
                await gateway.disconnect(self.hub, self.conn)
                await release_hub(self.hub)

    async def accept(self) -> None:
        await self.base_send({"type": "websocket.accept"})

    async def close(self, code: int) -> None:
        await self.base_send({"type": "websocket.close", "code": code})

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(CLOSE_UNAUTHENTICATED)
            return
        name = await db.run(parcours_selectors.display_name, user)
        try:
            hub = await current_hub()
        except Exception:
            logger.warning("realtime: the gateway could not start here; socket refused")
            await self.close(CLOSE_TRY_AGAIN)
            return
        self.conn = Connection(
            id=hub.new_connection_id(),
            user=user,
            name=name,
            send=self._send,
            close=self.close,
            write_text=self.scope.get("extensions", {}).get(WRITE_TEXT),
        )
        self.hub = hub
        if not await self._counted(hub, self.conn):
            await self.accept()
            self.conn.error(limits.too_many_sockets())
            await self.close(CLOSE_TOO_MANY_SOCKETS)
            return
        hub.connections[self.conn.id] = self.conn
        await self.accept()

    @staticmethod
    async def _counted(hub, conn: Connection) -> bool:
        """Whether the account may open one more socket (yes if Redis cannot tell now)."""
        try:
            return await hub.sockets.enter(conn.user_id, conn.id)
        except Exception:
            logger.warning("realtime: sockets of user %s not counted (Redis away)", conn.user_id)
            return True

    def _send(self, frame: Frame) -> Coroutine:
        # Straight to the server's send: the hub calls this once per socket per frame.
        if isinstance(frame, bytes):
            return self.base_send({"type": "websocket.send", "bytes": frame})
        return self.base_send({"type": "websocket.send", "text": frame})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None):
        raw: dict[str, Any] | None = None
        try:
            if bytes_data is not None:
                raw, body = protocol.decode_binary(bytes_data)
                parsed = protocol.Parsed(protocol.validate(raw), body, len(bytes_data))
            else:
                raw, size = protocol.decode_text(text_data or "")
                frame = protocol.validate(raw)
                parsed = protocol.Parsed(frame, getattr(frame, "data", {}), size)
            await self.handle(parsed)
        except ServiceError as exc:
            self.conn.error(exc, **protocol.echo(raw))
        except UNREACHABLE:
            logger.warning("realtime: a client frame needs Redis, which is unreachable")
            self.conn.error(UNAVAILABLE, **protocol.echo(raw))
        except Exception:  # a bug or a service away: the client is told, the socket stays
            logger.exception("realtime: a client frame failed")
            self.conn.error(INTERNAL, **protocol.echo(raw))

    async def handle(self, parsed: protocol.Parsed) -> None:
        frame = parsed.frame
        if isinstance(frame, protocol.SubscribeFrame):
            seq = await gateway.subscribe(
                self.hub, self.conn, topic=frame.topic, since=frame.since, presence=frame.presence
            )
            self.conn.emit(op="subscribed", topic=frame.topic, seq=seq, ref=frame.ref)
        elif isinstance(frame, protocol.UnsubscribeFrame):
            await gateway.unsubscribe(self.hub, self.conn, topic=frame.topic)
            self.conn.emit(op="unsubscribed", topic=frame.topic, ref=frame.ref)
        else:
            seq = await gateway.send(
                self.hub,
                self.conn,
                topic=frame.topic,
                event_type=frame.type,
                data=parsed.data,
                to=frame.to,
                size=parsed.size,
            )
            if seq is not None or frame.ref is not None:
                self.conn.emit(op="ack", ref=frame.ref, seq=seq)
