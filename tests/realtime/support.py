"""A test topic kind bound to a session, and a WebSocket client over the ASGI application."""

from __future__ import annotations

import asyncio
import json
from typing import Any, ClassVar, Literal

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from pydantic import Field

from parcours import policies
from parcours.errors import ErrorCode, ServiceError
from parcours.models import ApiToken, Session
from parcours.policies import Action, Decision
from realtime import publish, relay
from realtime.events import Event
from realtime.relaying import pack, unpack
from realtime.topics import Ephemeral, Sender, register_topic

TIMEOUT = 5

# Server processes that also know the test kind `room:<session id>` (`tests/realtime/asgi.py`).
ROOM_APPLICATION = "tests.realtime.asgi:application"


class Said(Event):
    """A durable chat line, as an app would declare it."""

    type: Literal["chat.message"] = "chat.message"
    body: str = Field(max_length=500)
    author_id: int


class Typing(Event):
    durable: ClassVar[bool] = False
    type: Literal["chat.typing"] = "chat.typing"
    author_id: int
    active: bool = True


def _session(object_id: int) -> Session | None:
    return Session.objects.filter(pk=object_id).first()


def authorize_room(user, object_id: int) -> Decision:
    session = _session(object_id)
    if session is None:
        return Decision(False, ErrorCode.NOT_FOUND, "Session introuvable.")
    return policies.decide(user, Action.READ_CONTRIBUTIONS, session)


def say(*, user, session_id: int, body: str) -> int | None:
    """The service a room handler calls: checks the policy, publishes a durable line."""
    policies.require(user, Action.CONTRIBUTE, _session(session_id))
    return publish(f"room:{session_id}", Said(body=body, author_id=user.pk))


def handle_say(sender: Sender, data: dict) -> None:
    body = data.get("body")
    if not isinstance(body, str) or not 0 < len(body) <= 500:
        raise ServiceError(ErrorCode.INVALID, "Message vide ou trop long.", {"field": "data.body"})
    say(user=sender.user, session_id=sender.object_id, body=body)


def handle_typing(sender: Sender, data: dict) -> None:
    """Lets the event model validate the client's data, as many handlers will."""
    publish(str(sender.topic), Typing.model_validate({**data, "author_id": sender.user_id}))


register_topic(
    "room",
    authorize=authorize_room,
    durable={"chat.message": handle_say, "chat.typing": handle_typing},
)


class HandRaised(Event):
    durable: ClassVar[bool] = False
    type: Literal["hand.raised"] = "hand.raised"
    user_id: int
    raised: bool


async def raise_hand(sender: Sender, data: dict) -> None:
    """An ephemeral handler: validates on the event loop, relays a server-made event."""
    event = HandRaised.model_validate({**data, "user_id": sender.user_id})
    await relay(str(sender.topic), event, sender=sender)


def may_contribute(user, object_id: int) -> Decision:
    return policies.decide(user, Action.CONTRIBUTE, _session(object_id))


# `studio:<session id>`: both tiers, as a virtual classroom or a shared document has them.
register_topic(
    "studio",
    authorize=authorize_room,
    durable={"chat.message": handle_say},
    ephemeral={
        "cursor.move": Ephemeral(max_bytes=256),
        "hand.raise": Ephemeral(handler=raise_hand),
        "rtc.signal": Ephemeral(directed=True, max_bytes=8192),
        "doc.update": Ephemeral(binary=True, max_bytes=64 * 1024),
    },
    authorize_send=may_contribute,
    presence=False,
    announce_connections=True,
)


class Client:
    """A WebSocket client of the gateway speaking JSON frames, over any transport."""

    def __init__(self) -> None:
        # Frames skipped while waiting for an answer, received again by `recv` in order.
        self.backlog: list[dict] = []

    async def raw(self, text: str) -> None:
        raise NotImplementedError

    async def receive_text(self, timeout: float) -> str:
        raise NotImplementedError

    async def send(self, **frame: Any) -> None:
        await self.raw(json.dumps(frame))

    async def send_bytes(self, body: bytes, **header: Any) -> None:
        """A binary frame: its header (`op`, `topic`, `type`...) then the payload."""
        await self.raw(pack(header, body))

    async def recv(self, timeout: float = TIMEOUT) -> dict:
        """The next frame; a binary one as its header with the payload under `bytes`."""
        if self.backlog:
            return self.backlog.pop(0)
        received = await self.receive_text(timeout)
        if isinstance(received, bytes):
            header, body = unpack(received)
            return {**header, "bytes": body}
        return json.loads(received)

    async def until(self, predicate, timeout: float = TIMEOUT) -> dict:
        """The first frame matching `predicate`; the others stay for `recv`."""
        skipped = []
        async with asyncio.timeout(timeout):
            while True:
                frame = await self.recv(timeout)
                if predicate(frame):
                    self.backlog[:0] = skipped
                    return frame
                skipped.append(frame)

    async def op(self, op: str, timeout: float = TIMEOUT, **frame: Any) -> dict:
        """Send an op and return the server's answer to it (matched by `ref`)."""
        ref = f"r-{id(frame)}"
        await self.send(op=op, ref=ref, **frame)
        return await self.until(lambda f: f.get("ref") == ref, timeout)

    async def subscribe(self, topic: str, timeout: float = TIMEOUT, **frame: Any) -> dict:
        return await self.op("subscribe", timeout, topic=topic, **frame)

    async def events(self, count: int, topic: str | None = None) -> list[dict]:
        found = []
        while len(found) < count:
            frame = await self.recv()
            if "op" not in frame and (topic is None or frame["topic"] == topic):
                found.append(frame)
        return found


class LocalClient(Client):
    """Through channels' `WebsocketCommunicator`, in the test's own event loop."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        super().__init__()
        self.ws = communicator

    async def raw(self, text: str | bytes) -> None:
        if isinstance(text, bytes):
            await self.ws.send_to(bytes_data=text)
        else:
            await self.ws.send_to(text_data=text)

    async def receive_text(self, timeout: float) -> str:
        return await self.ws.receive_from(timeout=timeout)

    async def nothing(self, timeout: float = 0.3) -> bool:
        return not self.backlog and await self.ws.receive_nothing(timeout=timeout)

    async def close(self) -> None:
        await self.ws.disconnect()


class RemoteClient(Client):
    """Through a real socket to a server process (`tests/servers.py`)."""

    def __init__(self, ws) -> None:
        super().__init__()
        self.ws = ws

    async def raw(self, text: str | bytes) -> None:
        await self.ws.send(text)

    async def receive_text(self, timeout: float) -> str:
        async with asyncio.timeout(timeout):
            return await self.ws.recv()

    async def close(self) -> None:
        await self.ws.close()


async def connect_remote(server, user) -> RemoteClient:
    from websockets.asyncio.client import connect as ws_connect

    token = await database_sync_to_async(ApiToken.issue)(user)
    ws = await ws_connect(f"{server.ws_url}/ws/?token={token}", origin=server.url)
    return RemoteClient(ws)


def application():
    from config.asgi import application

    return application


# The headers of a browser's handshake from one of the site's own pages.
SAME_ORIGIN = [(b"host", b"testserver"), (b"origin", b"http://testserver")]


async def connect(
    user=None,
    *,
    origin: str = "http://testserver",
    host: str = "testserver",
    token: str | None = None,
):
    """A connected client for `user` (through `?token=`), or (None, the refusal's code)."""
    if user is not None and token is None:
        token = await database_sync_to_async(ApiToken.issue)(user)
    path = f"/ws/?token={token}" if token else "/ws/"
    communicator = WebsocketCommunicator(
        application(), path, headers=[(b"host", host.encode()), (b"origin", origin.encode())]
    )
    connected, code = await communicator.connect(timeout=TIMEOUT)
    if not connected:
        return None, code
    return LocalClient(communicator), None


async def drain(client: LocalClient) -> list[dict]:
    """Every frame the client has received, until it receives nothing more."""
    frames, client.backlog = list(client.backlog), []
    while not await client.nothing():
        frames.append(await client.recv())
    return frames


def of_type(frames: list[dict], prefix: str) -> list[dict]:
    """The frames whose type is `prefix` or starts with it (`rtc.`)."""
    return [f for f in frames if f.get("type", "").startswith(prefix)]
