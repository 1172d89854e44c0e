"""Where each classroom's media runs, and how room changes reach it.

The SFU never runs on the gateway's event loop. With the embedded default it runs in the
server process on an event loop of its own (the `classroom-media` thread, started on first
use); with Redis it runs in `classroom_worker` processes (`workers.py`), each classroom
pinned to one of them. Either way a `MediaHost` holds the rooms of its process: for each,
a `MediaRoom` and the room topic's server peer `sfu` through which browsers signal.
Services call `apply_rules`, `kick`, `end` and `send_to_sink` after commit; these hand a
message to the room's host and never wait for the media.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from parcours import selectors as parcours_selectors
from parcours.errors import ServiceError
from realtime import db

from .media.network import ice_configuration, restrict_host_addresses
from .media.room import MediaRoom, Rules

logger = logging.getLogger(__name__)


def load_rules(room_id: int) -> tuple[Rules, dict[int, Rules]] | None:
    """The room's rules from its state (None when it is gone or not running)."""
    from . import selectors
    from .models import Classroom

    room = (
        Classroom.objects.select_related(*parcours_selectors.scope_joins())
        .filter(pk=room_id)
        .first()
    )
    if room is None or not room.is_running:
        return None
    return selectors.media_rules(room)


@dataclass
class Hosted:
    media: MediaRoom
    peer: Any  # realtime.peers.Peer
    reader: asyncio.Task | None = None


class MediaHost:
    """The classrooms whose media this process runs, each with its signalling peer."""

    def __init__(self, on_closed: Callable[[int], None] | None = None) -> None:
        self.on_closed = on_closed
        self.rooms: dict[int, Hosted] = {}
        self.starting: dict[int, asyncio.Future] = {}
        self.configuration = ice_configuration(settings.CLASSROOM_ICE_SERVERS)
        restrict_host_addresses(settings.CLASSROOM_ICE_ADDRESSES)

    async def ensure(self, room_id: int) -> bool:
        """Host the room's media here if it is not yet (False: the room is not running)."""
        if room_id in self.rooms:
            return True
        if room_id in self.starting:
            return await asyncio.shield(self.starting[room_id])
        done = self.starting[room_id] = asyncio.get_running_loop().create_future()
        try:
            started = await self._start(room_id)
            done.set_result(started)
            return started
        except BaseException as exc:
            done.set_exception(exc)
            raise
        finally:
            del self.starting[room_id]

    async def _start(self, room_id: int) -> bool:
        from realtime import attach

        from .signalling import SFU, TO_SFU

        rules = await db.run(load_rules, room_id)
        if rules is None:
            return False
        peer = await attach(f"classroom:{room_id}", SFU, types=TO_SFU)

        async def send(key: str, message: dict[str, Any]) -> None:
            await self._reply(peer, key, message)

        media = MediaRoom(room_id, send=send, configuration=self.configuration)
        default, per_user = rules
        media.apply_rules(per_user, default=default)
        hosted = self.rooms[room_id] = Hosted(media, peer)
        hosted.reader = asyncio.get_running_loop().create_task(self._read(room_id, hosted))
        return True

    async def _reply(self, peer: Any, key: str, message: dict[str, Any]) -> None:
        from .signalling import MESSAGES

        payload = {k: v for k, v in message.items() if k != "type"}
        await peer.send(MESSAGES[message["type"]](**payload), to=key)

    async def _read(self, room_id: int, hosted: Hosted) -> None:
        """Run the signalling frames of the room, one at a time, in order."""
        from .signalling import MediaError

        async for frame in hosted.peer:
            key = frame.sender
            try:
                await self._signal(hosted.media, frame)
            except ServiceError as exc:
                with contextlib.suppress(Exception):
                    error = MediaError(code=str(exc.code), message=exc.message)
                    await hosted.peer.send(error, to=key)
            except Exception:
                logger.exception("classroom %s: signalling from %s failed", room_id, key)
            if not hosted.media.peers and frame.type in ("media.leave", "connection.left"):
                asyncio.get_running_loop().create_task(self.close_room(room_id))
                return

    async def _signal(self, media: MediaRoom, frame: Any) -> None:
        key, data = frame.sender, frame.data if isinstance(frame.data, dict) else {}
        if frame.type == "media.join" and frame.user_id is not None:
            await media.join(key, frame.user_id)
        elif frame.type == "media.publish":
            answer = await media.publish(key, data.get("sdp"), data.get("sources"))
            await media.send(key, {"type": "media.answer", "sdp": answer})
        elif frame.type == "media.answer":
            await media.answer(key, data.get("sdp"))
        elif frame.type in ("media.leave", "connection.left"):
            await media.leave(key)

    async def handle(self, message: dict[str, Any]) -> None:
        """A change of a room's state, for the media it hosts here (if it does)."""
        hosted = self.rooms.get(message["room"])
        if hosted is None:
            return
        op, media = message["op"], hosted.media
        if op == "rules":
            rules = await db.run(load_rules, message["room"])
            if rules is None:
                await self.close_room(message["room"])
            else:
                media.apply_rules(rules[1], default=rules[0])
        elif op == "kick":
            for key in media.peers_of(message["user_id"]):
                await media.leave(key, reason="removed", notify=True)
        elif op == "end":
            await self.close_room(message["room"])
        elif op == "sink" and message["name"] in media.sinks:
            media.sinks[message["name"]].command(message["data"])

    async def close_room(self, room_id: int) -> None:
        """The one way a hosted room ends: its media closes, its peer leaves the topic."""
        hosted = self.rooms.pop(room_id, None)
        if hosted is None:
            return
        try:
            await hosted.media.close()
        finally:
            if hosted.reader is not None and hosted.reader is not asyncio.current_task():
                hosted.reader.cancel()
                await asyncio.gather(hosted.reader, return_exceptions=True)
            await hosted.peer.close()
            if self.on_closed is not None:
                self.on_closed(room_id)

    async def close(self) -> None:
        for room_id in list(self.rooms):
            await self.close_room(room_id)


class EmbeddedHost:
    """The embedded default: a `MediaHost` on an event loop thread of the server process."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="classroom-media", daemon=True
        )
        self.thread.start()
        self.host: MediaHost = self.call(_new_host())

    def submit(self, coro: Awaitable) -> concurrent.futures.Future:
        """Start `coro` on the media loop, in a fresh context: the caller's (often asgiref's
        sync thread) must not follow it there, where its database calls would look
        re-entrant ("Single thread executor already being used")."""
        return contextvars.Context().run(asyncio.run_coroutine_threadsafe, coro, self.loop)

    def call(self, coro: Awaitable, timeout: float = 30.0) -> Any:
        """Run `coro` on the media loop and wait for it, from a thread."""
        return self.submit(coro).result(timeout)

    async def run(self, coro: Awaitable) -> Any:
        """Run `coro` on the media loop and wait for it, from another event loop."""
        return await asyncio.wrap_future(self.submit(coro))

    def post(self, message: dict[str, Any]) -> None:
        self.submit(self.host.handle(message)).add_done_callback(_log_failure)

    def stop(self) -> None:
        self.call(self.host.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


async def _new_host() -> MediaHost:
    return MediaHost()


def _log_failure(future) -> None:
    if not future.cancelled() and future.exception() is not None:
        logger.error("classroom media: %r", future.exception())


_embedded: EmbeddedHost | None = None
_embedded_lock = threading.Lock()


def embedded() -> EmbeddedHost:
    global _embedded
    with _embedded_lock:
        if _embedded is None:
            _embedded = EmbeddedHost()
        return _embedded


async def ensure_media(room_id: int) -> None:
    """Make sure some process hosts the room's media (called before a tab joins it)."""
    if settings.CLASSROOM_MEDIA_EMBEDDED:
        started = await embedded().run(embedded().host.ensure(room_id))
    else:
        from . import workers

        started = await workers.ensure(room_id)
    if not started:
        from parcours.errors import ErrorCode

        raise ServiceError(ErrorCode.CONFLICT, "La classe virtuelle n'est pas ouverte.")


def host_media(room_id: int) -> None:
    """`ensure_media` from a thread (a service run by a view): before a command that must
    not be dropped for want of a host, such as starting a recording before anyone joined."""
    from asgiref.sync import async_to_sync

    async_to_sync(ensure_media)(room_id)


def dispatch(message: dict[str, Any]) -> None:
    """Hand a room change to wherever the room's media runs (fire and forget)."""
    if settings.CLASSROOM_MEDIA_EMBEDDED:
        if _embedded is not None:
            _embedded.post(message)
        return
    from . import workers

    try:
        workers.route(message)
    except Exception:
        # Run after a commit: Redis away must not turn the committed change into a 500; the
        # room's media keeps its former rules until a later change reaches it.
        logger.warning("classrooms: room change not routed to its media worker (Redis away?)")


def apply_rules(room_id: int) -> None:
    dispatch({"op": "rules", "room": room_id})


def kick(room_id: int, user_id: int) -> None:
    dispatch({"op": "kick", "room": room_id, "user_id": user_id})


def end(room_id: int) -> None:
    dispatch({"op": "end", "room": room_id})


def send_to_sink(room_id: int, name: str, data: dict[str, Any]) -> None:
    """Give a command to the media sink `name` of the room, where its media runs."""
    dispatch({"op": "sink", "room": room_id, "name": name, "data": data})
