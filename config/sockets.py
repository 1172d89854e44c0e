"""The WebSocket protocol `config.serve` runs: uvicorn's sans-I/O one, lighter per open socket.

An open socket keeps its protocol object for its whole life, and most sockets are idle most
of the time. uvicorn's keeps, besides what the connection needs, an `asyncio.Queue` (three
deques, about 3 KB) for the messages the application has not read yet, an `asyncio.Event`
(a deque) for back-pressure, and the handshake's request and response with their headers.
Here the inbox and the gate hold nothing until something waits, and the handshake is let go
once the socket is accepted. Measured in `bench/ws_fanout.py` (RSS per idle socket).

A busy fan-out cost most in writing, frame by frame and socket by socket. Here what a socket
is sent in one turn of the event loop leaves in one system call (`Corked`), and a text frame
sent to many sockets is framed once for all of them: server frames are not masked, so the
same bytes suit every socket. The application reaches that through the ASGI extension
`WRITE_TEXT` of the socket's scope (the gateway's fan-out uses it).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State

# The scope extension (named the same in realtime/connection.py, which uses it): a callable
# that writes a text frame at once and returns True, or returns False when it cannot (the
# socket applies back-pressure or is closing): the application then sends through ASGI.
WRITE_TEXT = "preau.write_text"


class Inbox:
    """What uvicorn's protocol asks of its queue (`put_nowait`, `get`, `empty`), for its one
    reader, the application; uvicorn pauses reading while a message waits, so few do."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: list[Any] = []
        self._waiter: asyncio.Future | None = None

    def put_nowait(self, item: Any) -> None:
        self._items.append(item)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def empty(self) -> bool:
        return not self._items

    async def get(self) -> Any:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.pop(0)


class Gate:
    """`asyncio.Event`'s `wait`, `set` and `clear` for a socket's writers (open unless the
    transport applies back-pressure), with no waiter list until one has to wait."""

    __slots__ = ("_open", "_waiters")

    def __init__(self) -> None:
        self._open = True
        self._waiters: list[asyncio.Future] | None = None

    def is_set(self) -> bool:
        return self._open

    def set(self) -> None:
        self._open = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._open = False

    async def wait(self) -> None:
        while not self._open:
            waiter = asyncio.get_running_loop().create_future()
            if self._waiters is None:
                self._waiters = []
            self._waiters.append(waiter)
            try:
                await waiter
            finally:
                if self._waiters is not None and waiter in self._waiters:
                    self._waiters.remove(waiter)


class Corked:
    """A socket's transport whose writes of one loop turn go out joined, at the end of the
    turn: a socket given several frames at once (a burst read from the bus, the acks of a
    batch) costs one system call, not one per frame. Every write of the protocol goes
    through it, control frames included, so the bytes keep the order they were written in;
    closing sends what waits first. The rest is the transport's own."""

    __slots__ = ("_loop", "_transport", "_waiting")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._waiting: list[bytes] | None = None

    def write(self, data: bytes) -> None:
        if self._waiting is None:
            self._waiting = [data]
            self._loop.call_soon(self.flush)
        else:
            self._waiting.append(data)

    def flush(self) -> None:
        waiting, self._waiting = self._waiting, None
        if waiting and not self._transport.is_closing():
            self._transport.write(waiting[0] if len(waiting) == 1 else b"".join(waiting))

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._waiting = None
        self._transport.abort()

    def get_write_buffer_size(self) -> int:
        waiting = sum(map(len, self._waiting or ()))
        return self._transport.get_write_buffer_size() + waiting

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class SocketProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = Inbox()  # type: ignore[assignment]
        self.writable = Gate()  # type: ignore[assignment]

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(Corked(transport, self.loop))  # type: ignore[arg-type]

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        if not self.handshake_complete:  # not refused: the application is about to start
            self.scope["extensions"][WRITE_TEXT] = self.write_text

    def write_text(self, text: str) -> bool:
        """Write one text frame now, if nothing stands in the way (`WRITE_TEXT`)."""
        if (
            self.close_sent
            or self.disconnected
            or not self.writable.is_set()
            or self.conn.state is not State.OPEN
        ):
            return False
        self.transport.write(framed(text))
        return True

    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.accept" and self.handshake_complete:
            # The handshake is answered: nothing reads its request or response again.
            self.request = self.response = None  # type: ignore[assignment]


_last_framed: tuple[str | None, bytes] = (None, b"")


def framed(text: str) -> bytes:
    """The bytes of an unmasked text frame carrying `text`. A fan-out hands the same string
    to every socket in a row: it is framed once, for the first."""
    global _last_framed
    last, wire = _last_framed
    if last is not text:
        wire = Frame(Opcode.TEXT, text.encode()).serialize(mask=False)
        _last_framed = (text, wire)
    return wire
