"""Where each classroom's media runs, and how room changes reach it.

The SFU never runs on the gateway's event loop. With the embedded default it runs in this
process, on an event loop of its own (the `classroom-media` thread, started on first use);
with Redis it runs in `classroom_worker` processes (`workers.py`), each classroom pinned to
one of them. Services call `apply_rules`, `kick`, `end` and `send_to_sink` after commit;
signalling calls `signal`. All of them only hand a message to the room's host: none waits
for the media.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings

from .media.network import ice_configuration, restrict_host_addresses
from .media.room import MediaRoom, Rules

logger = logging.getLogger(__name__)

# Sends a signalling message to one browser tab: (reply address, message).
Reply = Callable[[str, dict[str, Any]], Awaitable[None]]


def load_rules(room_id: int) -> tuple[Rules, dict[int, Rules]] | None:
    """The rules of the room from its state (None when the room is gone or not running)."""
    from . import selectors
    from .models import Classroom

    room = Classroom.objects.select_related("session").filter(pk=room_id).first()
    if room is None or not room.is_running:
        return None
    return selectors.media_rules(room)


class MediaHost:
    """Owns the `MediaRoom`s of this process and runs every message for them in order."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.rooms: dict[int, MediaRoom] = {}
        # peer key -> where its signalling goes (the tab's current socket).
        self.addresses: dict[tuple[int, str], str] = {}
        self.configuration = ice_configuration(settings.CLASSROOM_ICE_SERVERS)
        restrict_host_addresses(settings.CLASSROOM_ICE_ADDRESSES)

    async def handle(self, message: dict[str, Any]) -> Any:
        """Run one message: signalling from a tab, or a change of the room's state."""
        op, room_id = message["op"], message["room"]
        room = self.rooms.get(room_id)
        if op == "rules":
            if room is not None:
                self._apply(room, await sync_to_async(load_rules)(room_id))
            return None
        if op == "kick":
            if room is not None:
                for key in room.peers_of(message["user_id"]):
                    await room.leave(key, reason="removed", notify=True)
            return None
        if op == "end":
            if room is not None:
                await self.close_room(room_id)
            return None
        if op == "sink":
            if room is not None and message["name"] in room.sinks:
                room.sinks[message["name"]].command(message["data"])
            return None
        return await self._signal(op, room_id, room, message)

    async def _signal(self, op: str, room_id: int, room: MediaRoom | None, message: dict) -> Any:
        peer = message["peer"]
        if op == "join":
            if room is None:
                rules = await sync_to_async(load_rules)(room_id)
                if rules is None:
                    return None
                room = self.rooms[room_id] = self._new_room(room_id)
                self._apply(room, rules)
            self.addresses[(room_id, peer)] = message["reply"]
            await room.join(peer, message["user_id"])
            return None
        if room is None or peer not in room.peers:
            from parcours.errors import ErrorCode, ServiceError

            raise ServiceError(ErrorCode.NOT_FOUND, "Rejoignez la classe avant d'envoyer.")
        self.addresses[(room_id, peer)] = message["reply"]
        if op == "publish":
            answer = await room.publish(peer, message["sdp"], message["sources"])
            await self._send(room_id, peer, {"type": "media.answer", "sdp": answer})
        elif op == "answer":
            await room.answer(peer, message["sdp"])
        elif op == "leave":
            await room.leave(peer)
            self.addresses.pop((room_id, peer), None)
            if not room.peers:
                await self.close_room(room_id)
        return None

    def _new_room(self, room_id: int) -> MediaRoom:
        async def send(peer: str, message: dict[str, Any]) -> None:
            await self._send(room_id, peer, message)

        return MediaRoom(room_id, send=send, configuration=self.configuration)

    async def _send(self, room_id: int, peer: str, message: dict[str, Any]) -> None:
        address = self.addresses.get((room_id, peer))
        if address is not None:
            await self.reply(address, {**message, "peer": peer})

    def _apply(self, room: MediaRoom, rules: tuple[Rules, dict[int, Rules]] | None) -> None:
        if rules is not None:
            default, per_user = rules
            room.apply_rules(per_user, default=default)

    async def close_room(self, room_id: int) -> None:
        room = self.rooms.pop(room_id, None)
        if room is None:
            return
        try:
            await room.close()
        finally:
            for key in [k for k in self.addresses if k[0] == room_id]:
                del self.addresses[key]

    async def close(self) -> None:
        for room_id in list(self.rooms):
            await self.close_room(room_id)


class EmbeddedHost:
    """The embedded default: a `MediaHost` on an event loop thread of this process."""

    def __init__(self, reply: Reply) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="classroom-media")
        self.thread.daemon = True
        self.thread.start()
        self.host = self.call(self._make_host(reply))

    async def _make_host(self, reply: Reply) -> MediaHost:
        return MediaHost(reply)

    def call(self, coro: Awaitable, timeout: float = 30.0) -> Any:
        """Run `coro` on the media loop from another thread and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def post(self, message: dict[str, Any]) -> None:
        """Hand `message` to the host without waiting (errors are logged)."""
        future = asyncio.run_coroutine_threadsafe(self.host.handle(message), self.loop)
        future.add_done_callback(_log_failure)

    async def ask(self, message: dict[str, Any]) -> Any:
        """Run `message` on the media loop from another event loop, waiting for it."""
        future = asyncio.run_coroutine_threadsafe(self.host.handle(message), self.loop)
        return await asyncio.wrap_future(future)

    def stop(self) -> None:
        self.call(self.host.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


def _log_failure(future) -> None:
    if not future.cancelled() and future.exception() is not None:
        logger.error("classroom media: %r", future.exception())


_embedded: EmbeddedHost | None = None
_embedded_lock = threading.Lock()


def embedded_host() -> EmbeddedHost | None:
    """This process's host when the embedded default runs the media here (None otherwise)."""
    global _embedded
    if settings.REDIS_URL and not settings.CLASSROOM_MEDIA_EMBEDDED:
        return None
    with _embedded_lock:
        if _embedded is None:
            from .signalling import reply_to_socket

            _embedded = EmbeddedHost(reply_to_socket)
        return _embedded


def running_host() -> EmbeddedHost | None:
    return _embedded


def dispatch(message: dict[str, Any]) -> None:
    """Hand a room change to wherever the room's media runs (fire and forget)."""
    host = running_host()
    if host is not None:
        host.post(message)


def apply_rules(room_id: int) -> None:
    dispatch({"op": "rules", "room": room_id})


def kick(room_id: int, user_id: int) -> None:
    dispatch({"op": "kick", "room": room_id, "user_id": user_id})


def end(room_id: int) -> None:
    dispatch({"op": "end", "room": room_id})


def send_to_sink(room_id: int, name: str, data: dict[str, Any]) -> None:
    """Give a command to the media sink `name` of the room, where its media runs."""
    dispatch({"op": "sink", "room": room_id, "name": name, "data": data})
