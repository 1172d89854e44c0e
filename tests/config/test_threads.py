"""The bounded pool of threads for synchronous views: reuse, queueing, quick refusals."""

import asyncio
import json
import threading
import time

from asgiref.sync import sync_to_async

from config.threads import BoundedThreads


def app_running(work):
    """An ASGI app that runs `work(body)` as Django runs a sync view, and answers its result."""

    async def app(scope, receive, send):
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        result = await sync_to_async(work)(body)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": result})

    return app


async def call(app, path: str = "/api/v1/me", body: bytes = b"", chunks: int = 1) -> dict:
    """One request through `app`; returns the status, headers and body sent back."""
    parts = [body[i::chunks] for i in range(chunks)] if chunks > 1 else [body]
    messages = [
        {"type": "http.request", "body": part, "more_body": n < len(parts) - 1}
        for n, part in enumerate(parts)
    ]
    sent: list[dict] = []

    async def receive():
        if messages:
            return messages.pop(0)
        await asyncio.sleep(3600)

    async def send(message):
        sent.append(message)

    await app({"type": "http", "path": path, "method": "POST"}, receive, send)
    start, content = sent[0], b"".join(m.get("body", b"") for m in sent[1:])
    return {"status": start["status"], "headers": dict(start["headers"]), "body": content}


async def test_requests_reuse_the_same_few_threads():
    names = set()
    pool = BoundedThreads(
        app_running(lambda body: names.add(threading.current_thread().name) or b"ok"),
        threads=2,
        queue=50,
        wait=5,
    )
    answers = await asyncio.gather(*(call(pool) for _ in range(40)))
    assert {a["status"] for a in answers} == {200}
    assert 1 <= len(names) <= 2 and all(n.startswith("preau-http") for n in names)


async def test_a_full_queue_is_refused_at_once_and_a_long_wait_after_the_wait():
    release = threading.Event()
    pool = BoundedThreads(
        app_running(lambda body: release.wait(5) and b"ok"), threads=1, queue=1, wait=0.3
    )
    running = asyncio.create_task(call(pool))
    await asyncio.sleep(0.1)
    waiting = asyncio.create_task(call(pool))
    await asyncio.sleep(0.05)
    began = time.monotonic()
    refused = await call(pool, path="/forums/1/")
    assert refused["status"] == 503 and time.monotonic() - began < 0.2
    assert refused["headers"][b"retry-after"] == b"1"
    assert refused["body"].decode().startswith("Le serveur est très sollicité")

    timed_out = await waiting
    assert timed_out["status"] == 503
    error = json.loads(timed_out["body"])["error"]
    assert error["code"] == "unavailable" and error["details"]["retry_after"] == 1
    release.set()
    assert (await running)["status"] == 200
    # The thread came back: the next request is served.
    assert (await call(pool))["status"] == 200


async def test_the_body_is_read_before_a_thread_is_taken_and_reaches_the_view_whole():
    pool = BoundedThreads(app_running(lambda body: body[::-1]), threads=1, queue=5, wait=5)
    body = bytes(range(256)) * 1000
    answer = await call(pool, body=body, chunks=7)
    expected = b"".join(body[i::7] for i in range(7))
    assert answer["body"] == expected[::-1]


async def test_a_waiter_cancelled_by_the_server_leaves_no_thread_behind():
    release = threading.Event()
    pool = BoundedThreads(
        app_running(lambda body: release.wait(5) and b"ok"), threads=1, queue=5, wait=5
    )
    running = asyncio.create_task(call(pool))
    await asyncio.sleep(0.1)
    waiting = asyncio.create_task(call(pool))
    await asyncio.sleep(0.05)
    waiting.cancel()
    release.set()
    assert (await running)["status"] == 200
    assert (await asyncio.wait_for(call(pool), 2))["status"] == 200
    assert len(pool._idle) == 1 and not pool._waiters
