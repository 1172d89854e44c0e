"""A y-websocket client built on pycrdt, over the ASGI application or a real server."""

from __future__ import annotations

import asyncio

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from pycrdt import Doc, Text, XmlElement, XmlFragment, XmlText

from collab import richtext, yprotocol
from parcours.models import ApiToken

TIMEOUT = 5


class YClient:
    """Speaks y-websocket for one pycrdt document: answers sync step 1, applies what the
    server sends, and sends its own edits as updates."""

    def __init__(self, transport, doc: Doc | None = None) -> None:
        self.transport = transport
        self.doc = doc or Doc()
        self.denied: list[str] = []
        self.updates_received = 0  # sync update frames from the server
        self.awareness = yprotocol.AwarenessTable()
        self.synced = asyncio.Event()
        self._applying = False
        self._subscription = self.doc.observe(self._local_change)
        self.reader = asyncio.create_task(self._read())

    def _local_change(self, event) -> None:
        if not self._applying:
            self.transport.send_nowait(yprotocol.update_message(event.update))

    async def _read(self) -> None:
        while True:
            message = await self.transport.recv()
            if message is None:
                return
            if message[0] == yprotocol.AUTH:
                self.denied.append(message[3:].decode())
                continue
            parsed = yprotocol.parse(message)
            if parsed is None:
                continue
            kind, payload = parsed
            if kind == yprotocol.STEP1:
                self.transport.send_nowait(yprotocol.sync_step2(self.doc.get_update(payload)))
                self.transport.send_nowait(yprotocol.sync_step1(self.doc.get_state()))
            elif kind in (yprotocol.STEP2, yprotocol.UPDATE):
                self.updates_received += kind == yprotocol.UPDATE
                self._applying = True
                try:
                    self.doc.apply_update(payload)
                finally:
                    self._applying = False
                if kind == yprotocol.STEP2:
                    self.synced.set()
            elif kind == yprotocol.AWARENESS:
                self.awareness.apply(payload, owner=None)

    # -- editing -----------------------------------------------------------------------

    @property
    def fragment(self) -> XmlFragment:
        return richtext.fragment(self.doc)

    def add_paragraph(self, text: str) -> None:
        self.fragment.children.append(XmlElement("paragraph", {}, [XmlText(text)]))

    def type_into(self, index: int, position: int, text: str) -> None:
        paragraph = self.fragment.children[index]
        paragraph.children[0].insert(position, text)

    def text(self) -> str:
        return richtext.plain_text(self.doc)

    def map_text(self, name: str = "t") -> Text:
        return self.doc.get(name, type=Text)

    def announce(self, client_id: int, state: dict) -> None:
        """Send this client's awareness state (a cursor, a name)."""
        import json

        update = yprotocol.AwarenessTable._encode([(client_id, (1, json.dumps(state), None))])
        self.transport.send_nowait(yprotocol.awareness_message(update))

    def present(self) -> list[dict]:
        import json

        return [json.loads(state) for _, state, _ in self.awareness.states.values()]

    def send_raw(self, message: bytes) -> None:
        self.transport.send_nowait(message)

    def detach(self) -> Doc:
        """Stop listening to the document's changes (its socket is about to go)."""
        self.doc.unobserve(self._subscription)
        return self.doc

    async def close(self) -> None:
        self.reader.cancel()
        await asyncio.gather(self.reader, return_exceptions=True)
        await self.transport.close()


class CommunicatorTransport:
    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator
        self.sending: set[asyncio.Task] = set()
        self.close_code: int | None = None

    def send_nowait(self, data: bytes) -> None:
        task = asyncio.get_running_loop().create_task(self.communicator.send_to(bytes_data=data))
        self.sending.add(task)
        task.add_done_callback(self.sending.discard)

    async def recv(self) -> bytes | None:
        while True:
            output = await self.communicator.receive_output(timeout=3600)
            if output["type"] == "websocket.close":
                self.close_code = output.get("code", 1000)
                return None
            if output.get("bytes") is not None:
                return output["bytes"]

    async def close(self) -> None:
        await asyncio.gather(*self.sending, return_exceptions=True)
        await self.communicator.disconnect()


class SocketTransport:
    """A real WebSocket (the `websockets` client) to a server process."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.sending: set[asyncio.Task] = set()

    def send_nowait(self, data: bytes) -> None:
        task = asyncio.get_running_loop().create_task(self.ws.send(data))
        self.sending.add(task)
        task.add_done_callback(self.sending.discard)

    async def recv(self) -> bytes | None:
        try:
            while True:
                message = await self.ws.recv()
                if isinstance(message, bytes):
                    return message
        except Exception:
            return None

    async def close(self) -> None:
        await asyncio.gather(*self.sending, return_exceptions=True)
        await self.ws.close()


async def token_for(user) -> str:
    return await database_sync_to_async(ApiToken.issue)(user)


async def open_doc(user, document_id: int | str, *, doc: Doc | None = None):
    """A synced YClient, or `(None, close code)` when the server refuses the socket."""
    from config.asgi import application

    token = await token_for(user) if user is not None else None
    url = f"/ws/docs/{document_id}/" + (f"?token={token}" if token else "")
    communicator = WebsocketCommunicator(
        application, url, headers=[(b"host", b"testserver"), (b"origin", b"http://testserver")]
    )
    connected, code = await communicator.connect(timeout=TIMEOUT)
    if not connected:
        return None, code
    client = YClient(CommunicatorTransport(communicator), doc)
    await asyncio.wait_for(client.synced.wait(), TIMEOUT)
    return client, None


async def open_remote(server, user, document_id: int) -> YClient:
    from websockets.asyncio.client import connect

    token = await token_for(user)
    ws = await connect(f"{server.ws_url}/ws/docs/{document_id}/?token={token}", origin=server.url)
    client = YClient(SocketTransport(ws))
    await asyncio.wait_for(client.synced.wait(), TIMEOUT)
    return client


async def until(predicate, timeout: float = TIMEOUT) -> None:
    """Wait until `predicate()` holds (convergence is eventual; the test fails on timeout)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)
