"""Limits that keep one socket from hurting the others: rates, subscriptions, slow readers."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async

from realtime import publish
from realtime.connection import CLOSE_TOO_SLOW
from tests.realtime.support import ROOM_APPLICATION, Said, connect, connect_remote
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
    """Wraps the gateway so that one socket's writes never complete, like a dead reader."""

    def __init__(self, inner) -> None:
        self.inner = inner

    async def __call__(self, scope, receive, send):
        async def stalled_send(message):
            if message["type"] == "websocket.send" and "seq" in message.get("text", ""):
                await asyncio.Event().wait()
            await send(message)

        return await self.inner(scope, receive, stalled_send)


async def test_a_stalled_reader_is_disconnected_without_holding_up_the_others(
    world, room, settings
):
    from channels.testing import WebsocketCommunicator

    from config.asgi import application
    from parcours.models import ApiToken

    settings.REALTIME_SOCKET_QUEUE = 20
    token = await database_sync_to_async(ApiToken.issue)(world.other_participant)
    stalled = WebsocketCommunicator(
        StalledApplication(application), f"/ws/?token={token}", [(b"origin", b"http://testserver")]
    )
    assert (await stalled.connect())[0]
    await stalled.send_to(text_data=json.dumps({"op": "subscribe", "topic": room}))
    healthy, _ = await connect(world.participant)
    await healthy.subscribe(room)

    def flood() -> None:
        for n in range(60):
            publish(room, Said(body=f"m{n}", author_id=1))

    await database_sync_to_async(flood)()
    assert [f["seq"] for f in await healthy.events(60)] == list(range(1, 61))
    closed = await stalled.receive_output(timeout=5)
    while closed["type"] != "websocket.close":
        closed = await stalled.receive_output(timeout=5)
    assert closed["code"] == CLOSE_TOO_SLOW
    await healthy.close()


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
