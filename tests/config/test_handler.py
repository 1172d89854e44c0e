"""Django answering on the request's thread in one trip: the handler `config.asgi` serves.

Each trip from the event loop to a request's thread waits behind the process's busy threads.
Django's own ASGI handler made three per request (the request-started signal, the middleware
chain, the closing of the response), and inside the chain two more round trips through the
event loop, around our two synchronous middleware.
"""

import asyncio
from collections.abc import Callable

import pytest
from django.core.signals import request_finished, request_started
from django.http import HttpResponse, StreamingHttpResponse
from django.test import override_settings
from django.urls import path

from config.threads import BoundedThreads, ThreadedHandler
from tests.config.test_threads import call

pytestmark = pytest.mark.django_db

order: list[str] = []


def answered(request):
    order.append("view")
    return HttpResponse(b"bonjour")


def streamed(request):
    def parts():
        order.append("part 1 read")
        yield b"un,"
        order.append("part 2 read")
        yield b"deux"

    return StreamingHttpResponse(parts())


def failing(request):
    raise RuntimeError("la vue échoue")


urlpatterns = [
    path("t/answered", answered),
    path("t/streamed", streamed),
    path("t/failing", failing),
]


@pytest.fixture
def served():
    """The handler behind one bounded thread; counts the trips to that thread, and records
    the signals and the messages sent, in order."""
    order.clear()
    pool = BoundedThreads(ThreadedHandler(), threads=1, queue=5, wait=5)
    executor = pool._idle[0]
    submit = executor.submit
    trips = []

    def counted(fn: Callable, /, *args, **kwargs):
        trips.append(fn)
        return submit(fn, *args, **kwargs)

    executor.submit = counted

    def started(**kwargs):
        order.append("started")

    def finished(**kwargs):
        order.append("finished")

    request_started.connect(started)
    request_finished.connect(finished)

    async def app(scope, receive, send):
        async def recorded(message):
            order.append(message["type"])
            await send(message)

        host = {"headers": [(b"host", b"localhost")], "server": ("localhost", 80)}
        await pool({**scope, "method": "GET", **host}, receive, recorded)

    with override_settings(ROOT_URLCONF=__name__):
        yield app, trips
    request_started.disconnect(started)
    request_finished.disconnect(finished)


async def test_an_answer_held_in_memory_is_made_in_one_trip_and_the_request_closed_before_it_goes(
    served,
):
    app, trips = served
    answer = await call(app, "/t/answered")
    assert (answer["status"], answer["body"]) == (200, b"bonjour")
    assert len(trips) == 1  # Django's ASGIHandler: 3
    # The database connection is back in the pool before the first byte is sent.
    assert order == ["started", "view", "finished", "http.response.start", "http.response.body"]


async def test_a_streamed_answer_goes_a_part_at_a_time_and_is_closed_once_sent_whole(served):
    """A recording is not read whole into memory before its first byte is sent (Django's
    handler does, for a file read synchronously)."""
    app, trips = served
    answer = await call(app, "/t/streamed")
    assert (answer["status"], answer["body"]) == (200, b"un,deux")
    assert order == [
        "started",
        "http.response.start",
        "part 1 read",
        "http.response.body",
        "part 2 read",
        "http.response.body",
        "http.response.body",  # the end
        "finished",
    ]
    assert len(trips) == 1  # the answer; the parts are read off the bounded threads


async def test_a_view_that_raises_is_a_500_in_one_trip_and_the_request_is_still_closed(served):
    app, trips = served
    answer = await call(app, "/t/failing")
    assert answer["status"] == 500
    assert len(trips) == 1
    assert order[:2] == ["started", "finished"]


async def test_an_unknown_page_is_a_404_in_one_trip(served):
    app, trips = served
    answer = await call(app, "/t/nowhere")
    assert answer["status"] == 404 and len(trips) == 1


async def test_a_slow_download_holds_no_thread_while_it_is_sent(served):
    """A recording watched by a slow client held one of the worker's few threads for the
    whole download: thirty people watching one stopped every other request."""
    app, _ = served  # one thread
    slow_client = asyncio.Event()
    sent: list[dict] = []

    requested = [{"type": "http.request", "body": b""}]

    async def receive():
        if requested:
            return requested.pop()
        await asyncio.sleep(3600)

    async def slow_send(message):
        sent.append(message)
        if message["type"] == "http.response.body":
            await slow_client.wait()

    scope = {"type": "http", "path": "/t/streamed", "method": "GET"}
    download = asyncio.create_task(app(scope, receive, slow_send))
    while not sent:
        await asyncio.sleep(0.01)
    answer = await asyncio.wait_for(call(app, "/t/answered"), 5)  # 503 after 5 s before
    assert (answer["status"], answer["body"]) == (200, b"bonjour")
    assert not download.done()
    slow_client.set()
    await download
    assert b"".join(m.get("body", b"") for m in sent[1:]) == b"un,deux"
