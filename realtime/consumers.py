"""The `/ws/` endpoint: parses client frames and answers each, whatever it contains.

Client ops: `subscribe` (topic, optional `since`, `presence`), `unsubscribe`, `send` (topic,
type, data); each may carry a `ref` that the answer echoes. Answers: `subscribed` (with the
seq the client is at), `unsubscribed`, `ack` (with the seq of a durable event), `error`
(code, message, details.field); `resync` when `since` is older than what is kept. Events:
`{"topic", "seq"?, "type", "data"}`. A bad frame gets an `error` frame naming the problem
and changes nothing; the socket stays open. Fan-out does not use the channel layer's groups
(see `hub.py`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Coroutine
from typing import Annotated, Any, Literal

from channels.generic.websocket import AsyncWebsocketConsumer
from pydantic import BaseModel, ConfigDict, Field, StrictInt, TypeAdapter, ValidationError

from parcours import selectors as parcours_selectors
from parcours.errors import ErrorCode, ServiceError

from . import conf, db, gateway
from .connection import Connection
from .hub import current_hub, release_hub

logger = logging.getLogger(__name__)

Ref = Annotated[str, Field(max_length=64)] | Annotated[StrictInt, Field(ge=0)]
TopicName = Annotated[str, Field(max_length=64)]

# Close code for a socket without a valid session cookie or token.
CLOSE_UNAUTHENTICATED = 4401


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ref: Ref | None = None


class SubscribeFrame(_Frame):
    op: Literal["subscribe"]
    topic: TopicName
    since: Annotated[StrictInt, Field(ge=0)] | None = None
    presence: bool = False


class UnsubscribeFrame(_Frame):
    op: Literal["unsubscribe"]
    topic: TopicName


class SendFrame(_Frame):
    op: Literal["send"]
    topic: TopicName
    type: Annotated[str, Field(max_length=64)]
    data: dict[str, Any] = Field(default_factory=dict)


ClientFrame = TypeAdapter(
    Annotated[SubscribeFrame | UnsubscribeFrame | SendFrame, Field(discriminator="op")]
)


def decode(text: str | None) -> dict[str, Any]:
    """The JSON object of a text frame, or a `ServiceError` naming what is wrong with it."""
    if text is None:
        raise ServiceError(ErrorCode.INVALID, "Seules les trames texte JSON sont acceptées.")
    if len(text.encode()) > conf.get("REALTIME_MAX_FRAME_BYTES"):
        raise ServiceError(
            ErrorCode.TOO_LARGE,
            "Trame trop volumineuse.",
            {"max_bytes": conf.get("REALTIME_MAX_FRAME_BYTES")},
        )
    try:
        raw = json.loads(text)
    except ValueError:
        raise ServiceError(ErrorCode.INVALID, "Trame illisible : JSON attendu.") from None
    if not isinstance(raw, dict):
        raise ServiceError(ErrorCode.INVALID, "Trame invalide : un objet JSON est attendu.")
    return raw


def validate(raw: dict[str, Any]) -> SubscribeFrame | UnsubscribeFrame | SendFrame:
    try:
        return ClientFrame.validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(part) for part in first["loc"] if part not in {"subscribe", "send"}]
        field = loc[0] if loc else "op"
        if field == "unsubscribe" and len(loc) > 1:
            field = loc[1]
        raise ServiceError(
            ErrorCode.INVALID, f"Champ « {field} » invalide : {first['msg']}", {"field": field}
        ) from None


def _echo(raw: dict[str, Any] | None) -> dict[str, Any]:
    """The client's `ref` and `topic`, when readable, so that an error can be matched to them."""
    raw = raw or {}
    ref, topic = raw.get("ref"), raw.get("topic")
    return {
        "ref": ref if isinstance(ref, str | int) and len(str(ref)) <= 64 else None,
        "topic": topic if isinstance(topic, str) and len(topic) <= 64 else None,
    }


INTERNAL = ServiceError(
    ErrorCode.INTERNAL, "Erreur interne : rien n'a été modifié, réessayez plus tard."
)


class GatewayConsumer(AsyncWebsocketConsumer):
    channel_layer_alias = None

    async def __call__(self, scope, receive, send) -> None:
        """The socket's whole life: whatever ends it (close, crash, server shutdown), the
        connection leaves the hub, its feeds and presence here, and only here."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            if hasattr(self, "conn"):
                await gateway.disconnect(self.hub, self.conn)
                await release_hub(self.hub)

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        name = await db.run(parcours_selectors.display_name, user)
        hub = await current_hub()
        self.conn = Connection(user=user, name=name, send=self._send_text, close=self._close)
        self.hub = hub
        hub.connections[self.conn] = None
        await self.accept()

    def _send_text(self, frame: str) -> Coroutine:
        # Straight to the server's send: the hub calls this once per socket per frame.
        return self.base_send({"type": "websocket.send", "text": frame})

    async def _close(self, code: int) -> None:
        await self.close(code=code)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None):
        raw = None
        try:
            raw = decode(text_data)
            await self.handle(validate(raw))
        except ServiceError as exc:
            self.conn.error(exc, **_echo(raw))
        except Exception:  # a bug or a service away: the client is told, the socket stays
            logger.exception("realtime: a client frame failed")
            self.conn.error(INTERNAL, **_echo(raw))

    async def handle(self, frame: SubscribeFrame | UnsubscribeFrame | SendFrame) -> None:
        if isinstance(frame, SubscribeFrame):
            seq = await gateway.subscribe(
                self.hub, self.conn, topic=frame.topic, since=frame.since, presence=frame.presence
            )
            self.conn.emit(op="subscribed", topic=frame.topic, seq=seq, ref=frame.ref)
        elif isinstance(frame, UnsubscribeFrame):
            await gateway.unsubscribe(self.hub, self.conn, topic=frame.topic)
            self.conn.emit(op="unsubscribed", topic=frame.topic, ref=frame.ref)
        else:
            seq = await gateway.send(
                self.hub, self.conn, topic=frame.topic, event_type=frame.type, data=frame.data
            )
            self.conn.emit(op="ack", ref=frame.ref, seq=seq)
