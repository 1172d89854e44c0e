"""aiortc client peers signalling through the realtime gateway, as the classroom page does.

`GatewaySignalling` speaks the page's protocol on `classroom:<id>` over a gateway client
(`tests/realtime/support.py`: in-process or to a server process): `media.join`, then
`media.publish` / `media.answer` / `media.leave` addressed to the SFU, and it accepts
`media.*` frames only when they come `from: "sfu"`. A `media.restart` broadcast (the room
moved to another worker) makes the peer join again with fresh connections.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from tests.classrooms.peers import ClientPeer

SFU = "sfu"


class GatewaySignalling:
    def __init__(self, client, room_id: int) -> None:
        self.client = client
        self.topic = f"classroom:{room_id}"
        self.on_message: Callable[[dict], Awaitable[None]] | None = None
        self.answers: asyncio.Queue[str] = asyncio.Queue()
        self.errors: list[dict] = []
        self.restarts = 0
        self.peer: ClientPeer | None = None
        self.reader: asyncio.Task | None = None
        self.subscribed = False
        self.tasks: set[asyncio.Future] = set()
        self.pending: dict[str, asyncio.Future] = {}
        self.next_ref = 0

    async def _send(self, kind: str, data: dict, to: str | None = SFU, wait: bool = False):
        """Send on the topic; with `wait`, return the gateway's answer (ack or error)."""
        self.next_ref += 1
        ref = f"m-{self.next_ref}"
        frame = {"op": "send", "topic": self.topic, "type": kind, "data": data, "ref": ref}
        if to is not None:
            frame["to"] = to
        answered = self.pending[ref] = asyncio.get_running_loop().create_future()
        await self.client.send(**frame)
        if not wait:
            return None
        return await asyncio.wait_for(answered, 20)

    async def join(self, on_message: Callable[[dict], Awaitable[None]]) -> None:
        self.on_message = on_message
        if not self.subscribed:
            answer = await self.client.subscribe(self.topic)
            if answer.get("op") != "subscribed":
                raise PermissionError(answer.get("message", "refused"))
            self.subscribed = True
            self.reader = asyncio.ensure_future(self._read())
        # The SFU must have the join before this tab's offer: wait for the gateway's ack.
        answer = await self._send("media.join", {}, to=None, wait=True)
        if answer.get("op") != "ack":
            raise PermissionError(answer.get("message", "refused"))

    async def _read(self) -> None:
        while True:
            frame = await self.client.recv(timeout=3600)
            waiting = self.pending.pop(frame.get("ref"), None) if "op" in frame else None
            if waiting is not None and not waiting.done():
                waiting.set_result(frame)
            if frame.get("op") == "error":
                self.errors.append(frame)
            if "op" in frame:
                continue
            kind = frame.get("type", "")
            if kind == "media.restart" and self.peer is not None:
                self.restarts += 1
                self._spawn(self.peer.rejoin())
            elif kind.startswith("media.") and frame.get("from") == SFU:
                if kind == "media.answer":
                    self.answers.put_nowait(frame["data"]["sdp"])
                elif kind == "media.error":
                    self.errors.append(frame)
                elif self.on_message is not None:
                    self._spawn(self.on_message({"type": kind, **frame["data"]}))

    def _spawn(self, coro) -> None:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def publish(self, sdp: str, sources: dict[str, str]) -> str:
        await self._send("media.publish", {"sdp": sdp, "sources": sources})
        return await asyncio.wait_for(self.answers.get(), 20)

    async def answer(self, sdp: str) -> None:
        await self._send("media.answer", {"sdp": sdp})

    async def leave(self) -> None:
        with contextlib.suppress(Exception):
            await self._send("media.leave", {})

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
        with contextlib.suppress(Exception):
            await self.client.close()


def gateway_peer(client, room_id: int, **media) -> ClientPeer:
    signalling = GatewaySignalling(client, room_id)
    peer = ClientPeer(signalling, **media)
    signalling.peer = peer
    return peer
