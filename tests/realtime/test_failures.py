"""Failure paths of the gateway: whatever breaks, the socket is told and nothing is left behind."""

import asyncio
import threading
import time

import pytest
from channels.db import database_sync_to_async
from django.db import DatabaseError

from parcours.policies import ALLOWED
from realtime import publish, selectors
from realtime.hub import current_hub, release_hub
from realtime.topics import register_topic
from tests.realtime.support import Said, connect

pytestmark = [pytest.mark.django_db(transaction=True)]


def _broken_authorize(user, object_id: int):
    raise RuntimeError("a bug in a topic kind")


register_topic("broken", authorize=_broken_authorize, presence=False)


async def test_a_frame_that_breaks_the_server_gets_an_internal_error_and_the_socket_stays(
    world, room
):
    client, _ = await connect(world.participant)
    await client.raw('{"op": "subscribe", "topic": "broken:1"}')
    answer = await client.recv()
    assert (answer["op"], answer["code"]) == ("error", "internal")
    assert answer["message"]
    assert (await client.subscribe(room))["op"] == "subscribed"
    await database_sync_to_async(publish)(room, Said(body="toujours là", author_id=1))
    assert (await client.events(1))[0]["data"]["body"] == "toujours là"
    await client.close()


def _presence_of(user):
    return lambda f: (
        f.get("type", "").startswith("presence.") and f["data"].get("user_id") == (user.pk)
    )


async def test_a_consumer_stopped_without_a_close_leaves_no_trace(world, room):
    watcher, _ = await connect(world.trainer)
    await watcher.subscribe(room, presence=True)
    await watcher.until(lambda f: f.get("type") == "presence.state")
    client, _ = await connect(world.participant)
    await client.subscribe(room)
    await client.subscribe(f"user:{world.participant.pk}")
    assert (await watcher.until(_presence_of(world.participant)))["type"] == "presence.join"
    hub = await current_hub()

    client.ws.future.cancel()  # what a server shutdown does: no websocket.disconnect

    assert (await watcher.until(_presence_of(world.participant)))["type"] == "presence.leave"
    assert [conn.user_id for conn in hub.connections.values()] == [world.trainer.pk]
    assert list(hub.feeds) == [room]
    assert [conn.user_id for conn in hub.feeds[room].sockets] == [world.trainer.pk]
    assert list(hub.presence.local[room]) == [world.trainer.pk]
    await watcher.close()


async def test_a_topic_whose_first_join_failed_is_followed_by_the_next_subscriber(
    world, room, monkeypatch
):
    real, failures = selectors.last_seq, []

    def fails_once(topic: str) -> int:
        if not failures:
            failures.append(topic)
            raise DatabaseError("la base ne répond plus")
        return real(topic)

    monkeypatch.setattr(selectors, "last_seq", fails_once)
    first, _ = await connect(world.participant)
    answer = await first.subscribe(room)
    assert (answer["op"], answer["code"], answer["topic"]) == ("error", "internal", room)

    second, _ = await connect(world.trainer)
    assert (await second.subscribe(room))["op"] == "subscribed"
    assert (await first.subscribe(room))["op"] == "subscribed"
    await database_sync_to_async(publish)(room, Said(body="après la panne", author_id=1))
    for client in (first, second):
        assert (await client.events(1))[0]["data"]["body"] == "après la panne"
        await client.close()


async def test_sockets_waiting_on_a_failing_first_join_are_refused_not_left_waiting(
    world, room, monkeypatch
):
    real, entered, fail = selectors.last_seq, threading.Event(), threading.Event()

    def slow_then_fails(topic: str) -> int:
        if not fail.is_set():
            entered.set()
            fail.wait(5)
            raise DatabaseError("la base ne répond plus")
        return real(topic)

    monkeypatch.setattr(selectors, "last_seq", slow_then_fails)
    first, _ = await connect(world.participant)
    waiting, _ = await connect(world.trainer)
    await first.send(op="subscribe", topic=room, ref="first")
    await asyncio.to_thread(entered.wait, 5)
    await waiting.send(op="subscribe", topic=room, ref="waiting")
    await asyncio.sleep(0.2)  # the second socket now waits on the first one's join
    fail.set()
    for client in (first, waiting):
        assert (await client.recv())["code"] == "internal"
    assert (await waiting.subscribe(room))["op"] == "subscribed"
    await first.close()
    await waiting.close()


async def test_a_join_right_after_the_last_leave_still_hears_the_topic(world):
    """Over Redis, the UNSUBSCRIBE of the last leave must not undo the SUBSCRIBE of a join."""
    from realtime.connection import Connection, Subscription
    from realtime.topics import parse_topic
    from tests.services import require_redis

    require_redis()
    topic = f"user:{world.participant.pk}"
    hub = await current_hub()
    received: list[str] = []

    async def keep(frame: str) -> None:
        received.append(frame)

    async def ignore(code: int) -> None:
        pass

    leaving, joining = (
        Connection(id=f"test.{n}", user=world.participant, name="P", send=keep, close=ignore)
        for n in (1, 2)
    )
    await hub.join(leaving, topic)
    hub.leave(leaving, topic)  # the last socket here leaves...
    await hub.join(joining, topic)  # ...and another joins at once, before Redis heard of it
    joining.subscriptions[topic] = Subscription(parse_topic(topic), held=None, holds=0)

    await database_sync_to_async(publish)(topic, Said(body="entendu", author_id=1))
    async with asyncio.timeout(5):
        while not received:
            await asyncio.sleep(0.02)
    assert '"entendu"' in received[0]
    hub.leave(joining, topic)
    await release_hub(hub)


_running = {"now": 0, "peak": 0}
_running_lock = threading.Lock()


def _slow_authorize(user, object_id: int):
    with _running_lock:
        _running["now"] += 1
        _running["peak"] = max(_running["peak"], _running["now"])
    time.sleep(0.3)
    with _running_lock:
        _running["now"] -= 1
    return ALLOWED


register_topic("slowauth", authorize=_slow_authorize, presence=False)


async def test_slow_authorisations_run_side_by_side_up_to_the_pool_size(world, settings):
    settings.REALTIME_DB_THREADS = 3
    _running["peak"] = 0
    clients = [(await connect(world.participant))[0] for _ in range(5)]
    answers = await asyncio.gather(
        *(client.subscribe(f"slowauth:{n}") for n, client in enumerate(clients, 1))
    )
    assert [a["op"] for a in answers] == ["subscribed"] * 5
    assert _running["peak"] == 3
    for client in clients:
        await client.close()
