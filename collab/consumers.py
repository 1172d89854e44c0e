"""`/ws/docs/<doc_id>/`: the y-websocket protocol for one co-edited document.

Authenticated like the gateway (session cookie or `?token=`, Origin checked by
`config/asgi.py`); reading needs `READ_CONTRIBUTIONS` in the document's scope, writing
`documents.write_decision`. A reader's edits are refused with y-protocols' "permission
denied" message and never applied. Close codes: 4401 (no user), 4403 (not a reader), 4404
(no such document). The document's state lives in `rooms.Room`.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from parcours.errors import ErrorCode, ServiceError
from realtime import db

from . import documents, rooms

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED, CLOSE_FORBIDDEN, CLOSE_NOT_FOUND = 4401, 4403, 4404
# One y-protocols message; larger ones are ignored (a document is edited in small steps).
MAX_MESSAGE_BYTES = 1 << 20
DOC_ID = re.compile(r"[1-9][0-9]{0,17}")


def _access(user, document_id: int) -> tuple[bool, int]:
    """(writable, close code or 0) for `user` on the document."""
    try:
        document = documents.readable_document(user, document_id)
    except ServiceError as exc:
        return False, CLOSE_NOT_FOUND if exc.code == ErrorCode.NOT_FOUND else CLOSE_FORBIDDEN
    return bool(documents.write_decision(user, document)), 0


class Pace:
    """A socket's message budget (`COLLAB_DOC_RATE` per second, bursts of
    `COLLAB_DOC_BURST`). Past it, the socket is read more slowly rather than refused: a
    dropped Yjs update would leave the server's copy waiting for it, a delayed one costs
    nothing but time, and the client's own socket buffers push back on it."""

    def __init__(self, rate: float, burst: float, clock=time.monotonic) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens, self.at = burst, clock()

    def wait(self) -> float:
        """Seconds to wait before handling one more message (0 within the budget)."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


class DocConsumer(AsyncWebsocketConsumer):
    channel_layer_alias = None
    _serial = 0

    async def __call__(self, scope, receive, send) -> None:
        """Whatever ends the socket, its editor leaves the room here, and only here."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            if getattr(self, "room", None) is not None:
                await rooms.leave(self.room, self.editor)

    async def connect(self) -> None:
        self.room = None
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        raw_id = self.scope["url_route"]["kwargs"]["doc_id"]
        if not DOC_ID.fullmatch(raw_id):  # not a number, or past 64 bits
            await self.close(code=CLOSE_NOT_FOUND)
            return
        document_id = int(raw_id)
        writable, refused = await db.run(_access, user, document_id)
        if refused:
            await self.close(code=refused)
            return
        await self.accept()
        self.pace = Pace(settings.COLLAB_DOC_RATE, settings.COLLAB_DOC_BURST)
        DocConsumer._serial += 1
        self.editor = rooms.Editor(
            id=f"{rooms.PEER_NAME}.{DocConsumer._serial}",
            user_id=user.pk,
            writable=writable,
            send=self._send_bytes,
            close=lambda code: self.close(code=code),
        )
        self.room = await rooms.enter(document_id, self.editor)

    async def dispatch(self, message: dict) -> None:
        """channels closes the thread's stale database connections before every handler, a
        hop to a worker thread per frame; a document's frames use no connection here (the
        room's database work runs on `realtime.db`'s threads), so they go straight in."""
        if message["type"] == "websocket.receive":
            await self.websocket_receive(message)
        else:
            await super().dispatch(message)

    async def _send_bytes(self, frame: bytes) -> None:
        await self.base_send({"type": "websocket.send", "bytes": frame})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None):
        if self.room is None or bytes_data is None or len(bytes_data) > MAX_MESSAGE_BYTES:
            return  # the protocol is binary; anything else changes nothing
        delay = self.pace.wait()
        if delay:
            await asyncio.sleep(delay)
        try:
            await self.room.receive(self.editor, bytes_data)
        except Exception:  # a bug must not drop the editor's socket
            logger.exception("collab: a document message failed")
