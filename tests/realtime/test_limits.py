"""Limits that keep one socket from hurting the others: rates, subscriptions, slow readers."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from realtime import publish
from realtime.connection import CLOSE_TOO_SLOW
from tests.realtime.support import (
    ROOM_APPLICATION,
    SAME_ORIGIN,
    LocalClient,
    Said,
    Typing,
    connect,
    connect_remote,
)
from tests.services import require_redis

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fresh_buckets(settings):
    """Full buckets for each test: in memory each test's loop has its own hub, Redis keeps them."""
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        for key in client.scan_iter(f"{settings.REDIS_PREFIX}:rate:*"):
            client.delete(key)


async def test_sending_too_fast_is_rate_limited_and_the_socket_stays_open(world, room, settings):
    settings.REALTIME_SEND_RATE, settings.REALTIME_SEND_BURST = 1.0, 3
    client, _ = await connect(world.participant)
    await client.subscribe(room)
    answers = [
        await client.op("send", topic=room, type="chat.message", data={"body": f"m{n}"})
        for n in range(5)
    ]
    assert [a["op"] for a in answers] == ["ack", "ack", "ack", "error", "error"]
    assert answers[3]["code"] == "rate_limited"
    assert answers[3]["details"]["retry_after"] > 0
    await asyncio.sleep(1.1)
    assert (await client.op("send", topic=room, type="chat.message", data={"body": "x"}))[
        "op"
    ] == "ack"
    await client.close()


async def test_the_rate_limit_is_per_user_and_topic(world, room, settings):
    settings.REALTIME_SEND_RATE, settings.REALTIME_SEND_BURST = 1.0, 1
    alice, _ = await connect(world.participant)
    bob, _ = await connect(world.other_participant)
    for client in (alice, bob):
        await client.subscribe(room)
    assert (await alice.op("send", topic=room, type="chat.message", data={"body": "a"}))[
        "op"
    ] == "ack"
    assert (await bob.op("send", topic=room, type="chat.message", data={"body": "b"}))[
        "op"
    ] == "ack"
    await alice.close()
    await bob.close()


async def test_a_socket_follows_a_bounded_number_of_topics(world, settings):
    settings.REALTIME_MAX_SUBSCRIPTIONS = 1
    client, _ = await connect(world.participant)
    assert (await client.subscribe(f"user:{world.participant.pk}"))["op"] == "subscribed"
    answer = await client.subscribe(f"room:{world.session.pk}")
    assert answer["code"] == "rate_limited"
    await client.close()


class StalledApplication:
    """Wraps the gateway so that one socket's writes wait until `resume` is set."""

    def __init__(self, inner, stalls) -> None:
        self.inner, self.stalls = inner, stalls
        self.resume = asyncio.Event()

    async def __call__(self, scope, receive, send):
        async def stalled_send(message):
            if message["type"] == "websocket.send" and self.stalls(message.get("text", "")):
                await self.resume.wait()
            await send(message)

        return await self.inner(scope, receive, stalled_send)


async def stalled_client(user, stalls):
    from channels.testing import WebsocketCommunicator

    from config.asgi import application
    from parcours.models import ApiToken

    token = await database_sync_to_async(ApiToken.issue)(user)
    app = StalledApplication(application, stalls)
    communicator = WebsocketCommunicator(app, f"/ws/?token={token}", SAME_ORIGIN)
    assert (await communicator.connect())[0]
    return app, LocalClient(communicator)


def _event_frame(text: str) -> bool:
    return text.startswith('{"topic"')


async def test_a_slow_reader_keeps_a_bounded_queue_then_resyncs_and_others_miss_nothing(
    world, room, settings
):
    from realtime.hub import current_hub

    settings.REALTIME_SOCKET_QUEUE = 20
    app, slow = await stalled_client(world.other_participant, _event_frame)
    assert (await slow.subscribe(room))["op"] == "subscribed"
    healthy, _ = await connect(world.participant)
    await healthy.subscribe(room)

    def flood() -> None:
        for n in range(1, 61):
            publish(room, Said(body=f"m{n}", author_id=1))
            publish(room, Typing(author_id=1))

    await database_sync_to_async(flood)()
    frames = await healthy.events(120)
    assert [f["seq"] for f in frames if "seq" in f] == list(range(1, 61))
    hub = await current_hub()
    (behind,) = [c for c in hub.connections.values() if c.user_id == world.other_participant.pk]
    assert len(behind._out) <= 20

    app.resume.set()
    received = []
    while not received or received[-1].get("op") != "resync":
        received.append(await slow.recv())
    assert received[-1] == {"op": "resync", "topic": room, "seq": 60}
    durable = [f["seq"] for f in received if "seq" in f and "op" not in f]
    assert durable == list(range(1, len(durable) + 1)) and len(durable) <= 21
    await database_sync_to_async(publish)(room, Said(body="à jour", author_id=1))
    assert (await slow.events(1, room))[0]["seq"] == 61
    await slow.close()
    await healthy.close()


async def test_a_client_that_never_reads_its_answers_is_closed(world, settings):
    settings.REALTIME_SOCKET_QUEUE = 5
    _app, deaf = await stalled_client(world.participant, lambda text: True)
    for _ in range(200):
        await deaf.raw("pas du JSON")
    closed = await deaf.ws.receive_output(timeout=5)
    while closed["type"] != "websocket.close":
        closed = await deaf.ws.receive_output(timeout=5)
    assert closed["code"] == CLOSE_TOO_SLOW


async def test_a_client_resumes_after_being_dropped(world, room):
    client, _ = await connect(world.participant)
    await client.subscribe(room)
    await database_sync_to_async(publish)(room, Said(body="un", author_id=1))
    (seen,) = await client.events(1)
    await client.close()
    await database_sync_to_async(publish)(room, Said(body="deux", author_id=1))
    again, _ = await connect(world.participant)
    await again.subscribe(room, since=seen["seq"])
    assert [f["data"]["body"] for f in await again.events(1)] == ["deux"]
    await again.close()


@pytest.mark.slow
async def test_two_processes_share_one_send_budget(world, daphne):
    require_redis()
    env = {"REALTIME_SEND_RATE": "0.1", "REALTIME_SEND_BURST": "3"}
    servers = [daphne(application=ROOM_APPLICATION, **env) for _ in "ab"]
    room = f"room:{world.session.pk}"
    tabs = [await connect_remote(server, world.participant) for server in servers]
    for tab in tabs:
        await tab.subscribe(room)

    answers = [
        await tabs[n % 2].op("send", topic=room, type="chat.message", data={"body": f"m{n}"})
        for n in range(4)
    ]

    assert [a["op"] for a in answers] == ["ack", "ack", "ack", "error"]
    assert answers[3]["code"] == "rate_limited" and answers[3]["details"]["retry_after"] > 0
    for tab in tabs:
        await tab.close()


def test_the_wait_a_refused_client_is_told_is_never_shorter_than_the_real_one():
    from realtime.limits import retry_after

    assert retry_after(0.0001) == 0.01  # rounding to nearest said 0: "retry now", refused again
    assert retry_after(0.994) == 1.0
    assert retry_after(0.5) == 0.5
