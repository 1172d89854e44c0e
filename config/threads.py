"""Django's synchronous views on a bounded set of long-lived threads, per server process.

Under ASGI, Django runs a request's synchronous code (middleware, views, the ORM) on a
thread of its own; left alone it starts a new thread, and so a new database connection, for
every request, without bound. `BoundedThreads` hands each HTTP request one of `HTTP_THREADS`
threads instead, kept for the process's life: concurrency stays real (a thread waiting on the
database lets another run), connections are reused, and a burst queues in front of the
threads rather than behind the database. A request that would wait beyond
`HTTP_QUEUE` others or `HTTP_QUEUE_WAIT` seconds gets a 503 with `Retry-After` at once, so a
burst ends in answers or refusals, never in a pile of timeouts.

The body is read before a thread is taken: a slow upload holds no thread.
"""

from __future__ import annotations

import asyncio
import math
import tempfile
import threading
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.db import close_old_connections
from django.http import FileResponse, HttpResponseBase
from django.urls import set_script_prefix
from django.utils.translation import gettext

from config.answers import refuse

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CHUNK = 64 * 1024
# The scope key under which `BoundedThreads` hands the application its thread's release.
RELEASE_THREAD = "preau.release_thread"


class BoundedThreads:
    """ASGI middleware: each HTTP request runs its sync code on one of N pooled threads."""

    def __init__(self, app: ASGIApp, *, threads: int, queue: int, wait: float) -> None:
        self.app, self.queue, self.wait = app, queue, wait
        self._idle = [
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="preau-http")
            for _ in range(threads)
        ]
        self._waiters: deque[asyncio.Future] = deque()
        self._lock = threading.Lock()  # tests run several event loops in one process

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:  # the client left before sending its body
            return
        try:
            executor = await self._acquire()
            if executor is None:
                await _busy(scope, send, self.wait)
                return
            released = False

            def release() -> None:
                nonlocal released
                if not released:
                    released = True
                    self._release(executor)

            # The application may give the thread back before the end (ThreadedHandler, once
            # its answer is made), so that a slow client does not hold it while it downloads.
            scope[RELEASE_THREAD] = release
            try:
                # Django's own per-request context nests inside this one and keeps it.
                async with ThreadSensitiveContext(executor=executor):
                    await self.app(scope, _replay(body, receive), send)
            finally:
                release()
        finally:
            body.close()

    async def _acquire(self) -> ThreadPoolExecutor | None:
        """A free thread, after waiting if need be; None when the queue or the wait is full."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
            if len(self._waiters) >= self.queue:
                return None
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(waiter, self.wait)
        except TimeoutError:
            return None
        except BaseException:
            # Cancelled (the server stops) just as a thread was handed over: give it back.
            if waiter.done() and not waiter.cancelled():
                self._release(waiter.result())
            raise
        finally:
            with self._lock:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)

    def _release(self, executor: ThreadPoolExecutor) -> None:
        with self._lock:
            while self._waiters:
                waiter = self._waiters.popleft()
                if not waiter.done():
                    waiter.get_loop().call_soon_threadsafe(_grant, waiter, executor, self)
                    return
            self._idle.append(executor)


def _grant(waiter: asyncio.Future, executor: ThreadPoolExecutor, pool: BoundedThreads) -> None:
    if waiter.cancelled():
        pool._release(executor)
    else:
        waiter.set_result(executor)


async def _read_body(receive: Receive) -> tempfile.SpooledTemporaryFile | None:
    body = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115  (closed by the caller)
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            body.close()
            return None
        body.write(message.get("body", b""))
        if not message.get("more_body", False):
            body.seek(0)
            return body


def _replay(body: tempfile.SpooledTemporaryFile, receive: Receive) -> Receive:
    """The request's body as the application would have received it, then the client's
    own messages (a disconnect)."""
    done = False

    async def replayed() -> dict:
        nonlocal done
        if done:
            return await receive()
        chunk = body.read(CHUNK)
        more = body.tell() < _size(body)
        done = not more
        return {"type": "http.request", "body": chunk, "more_body": more}

    return replayed


def _size(body: tempfile.SpooledTemporaryFile) -> int:
    position = body.tell()
    end = body.seek(0, 2)
    body.seek(position)
    return end


async def _busy(scope: Scope, send: Send, wait: float) -> None:
    """503 with Retry-After: the JSON error envelope for the API, a short text otherwise."""
    retry = max(1, math.ceil(wait))
    message = gettext("Le serveur est très sollicité : réessayez dans %(retry)s s.") % {
        "retry": retry
    }
    details = {"retry_after": retry}
    await refuse(
        scope, send, 503, "unavailable", message, details, [(b"retry-after", str(retry).encode())]
    )


class ThreadedHandler(ASGIHandler):
    """Django's ASGI handler, answering each request in one call on the request's thread.

    Django's own runs its middleware chain in async mode: the request-started signal, the
    chain and the closing of the response each move the request from the event loop to a
    thread and back, and inside the chain each synchronous middleware (two of ours) and the
    view make one more round trip through the loop; each trip waits for the loop's thread
    and the GIL behind the process's busy request threads. All of Préau's views and
    middleware are synchronous, so here the chain is built synchronous, and the signal, the
    chain and the closing of a response held in memory (which hands the database connection
    back to the pool) run in one call. The request's thread then goes back to the bounded
    pool: sending is the event loop's work, and a slow client (a recording being watched)
    no longer holds a thread while it downloads. A streamed response (a file) is read a
    part at a time as the client takes them, off the bounded threads, and closed once sent.
    A sync view cannot be cancelled when its client leaves, so the disconnect is not
    watched for."""

    def __init__(self) -> None:
        super(ASGIHandler, self).__init__()
        self.load_middleware(is_async=False)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            body = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        try:
            response = await sync_to_async(self._respond, thread_sensitive=True)(scope, body)
            if RELEASE_THREAD in scope:
                scope[RELEASE_THREAD]()  # what is left is sending: another request may run
            if response.streaming and not response.is_async:
                # Django would read the whole file into memory before its first byte is sent.
                response.streaming_content = _parts_of(iter(response.streaming_content))
            try:
                await self.send_response(response, send)
            finally:
                if response.streaming:
                    await sync_to_async(response.close, thread_sensitive=False)()
        finally:
            body.close()

    def _respond(self, scope: Scope, body: tempfile.SpooledTemporaryFile) -> HttpResponseBase:
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body)
        if request is not None:
            response = self.get_response(request)
            response._handler_class = self.__class__
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
        if response.streaming:
            # Its parts are read off this thread, which goes back to the pool before they
            # are sent: they must not need its database connection, handed back here.
            close_old_connections()
        else:
            response.close()  # its content stays: the request is over but for sending it
        return response


_END = object()


async def _parts_of(parts: Iterator[bytes]) -> AsyncIterator[bytes]:
    """A streamed response's parts (a file's blocks), read one at a time as the client takes
    them, on a thread of asgiref's pool: the request's own went back to the bounded pool."""
    read = sync_to_async(next, thread_sensitive=False)
    while (part := await read(parts, _END)) is not _END:
        yield part


def bounded(app: ASGIApp) -> ASGIApp:
    return BoundedThreads(
        app,
        threads=settings.HTTP_THREADS,
        queue=settings.HTTP_QUEUE,
        wait=settings.HTTP_QUEUE_WAIT,
    )
