"""Resuming with `since`: everything missed, in order, once; phantom-free publishing."""

import asyncio
import threading

import pytest
from channels.db import database_sync_to_async
from django.db import close_old_connections, transaction

from realtime import publish, publishing
from realtime.models import StoredEvent
from tests.realtime.support import Said, connect

pytestmark = [pytest.mark.django_db(transaction=True)]


def say(room: str, count: int, start: int = 1) -> None:
    for n in range(start, start + count):
        publish(room, Said(body=f"m{n}", author_id=1))


async def test_subscribing_with_since_replays_what_was_missed_then_continues_live(world, room):
    await database_sync_to_async(say)(room, 5)
    client, _ = await connect(world.participant)
    answer = await client.subscribe(room, since=2)
    replayed = await client.events(3)
    assert [f["seq"] for f in replayed] == [3, 4, 5]
    assert answer["seq"] == 5
    await database_sync_to_async(say)(room, 1, start=6)
    assert [f["data"]["body"] for f in await client.events(1)] == ["m6"]
    await client.close()


async def test_replay_has_no_gap_and_no_duplicate_while_others_publish(world, room):
    total = 300
    await database_sync_to_async(say)(room, 20)

    def stream() -> None:
        say(room, total - 20, start=21)
        close_old_connections()

    publisher = threading.Thread(target=stream)
    publisher.start()
    client, _ = await connect(world.participant)
    await asyncio.sleep(0.05)
    await client.subscribe(room, since=0)
    frames = await client.events(total)
    publisher.join()
    assert [f["seq"] for f in frames] == list(range(1, total + 1))
    assert await client.nothing()
    await client.close()


async def test_a_since_older_than_the_kept_events_gets_a_resync(world, room, settings):
    settings.REALTIME_RETENTION = 10
    await database_sync_to_async(say)(room, 30)
    client, _ = await connect(world.participant)
    await client.send(op="subscribe", topic=room, since=3, ref="s")
    resync = await client.recv()
    assert resync == {"op": "resync", "topic": room, "seq": 30}
    assert (await client.recv())["op"] == "subscribed"
    await database_sync_to_async(say)(room, 1, start=31)
    assert (await client.events(1))[0]["seq"] == 31
    await client.close()


async def test_a_recent_since_within_retention_replays_normally(world, room, settings):
    settings.REALTIME_RETENTION = 10
    await database_sync_to_async(say)(room, 30)
    client, _ = await connect(world.participant)
    await client.subscribe(room, since=25)
    assert [f["seq"] for f in await client.events(5)] == [26, 27, 28, 29, 30]
    await client.close()


async def test_a_rolled_back_write_publishes_nothing(world, room):
    client, _ = await connect(world.participant)
    await client.subscribe(room)

    def failing_write() -> None:
        with transaction.atomic():
            publish(room, Said(body="fantôme", author_id=1))
            raise RuntimeError("write failed")

    with pytest.raises(RuntimeError):
        await database_sync_to_async(failing_write)()
    assert await client.nothing()
    assert not await database_sync_to_async(StoredEvent.objects.exists)()
    await database_sync_to_async(say)(room, 1)
    assert (await client.events(1))[0]["seq"] == 1
    await client.close()


async def test_an_event_whose_fan_out_was_lost_is_read_back_from_the_outbox(
    world, room, monkeypatch
):
    client, _ = await connect(world.participant)
    await client.subscribe(room)
    # The publishing process dies between its commit and its fan-out.
    monkeypatch.setattr(publishing, "fan_out_many", lambda *args: None)
    await database_sync_to_async(say)(room, 1)
    monkeypatch.undo()
    await database_sync_to_async(say)(room, 1, start=2)
    frames = await client.events(2)
    assert [f["data"]["body"] for f in frames] == ["m1", "m2"]
    await client.close()


async def test_an_event_published_within_a_transaction_waits_for_the_commit(world, room):
    client, _ = await connect(world.participant)
    await client.subscribe(room)
    proceed = threading.Event()

    def slow_write() -> None:
        with transaction.atomic():
            publish(room, Said(body="après commit", author_id=1))
            proceed.wait(5)
        close_old_connections()

    writer = threading.Thread(target=slow_write)
    writer.start()
    assert await client.nothing(0.3)
    proceed.set()
    (frame,) = await client.events(1)
    assert frame["data"]["body"] == "après commit"
    # What the client saw is already committed: another connection reads it.
    assert await database_sync_to_async(StoredEvent.objects.filter(seq=1).exists)()
    await asyncio.to_thread(writer.join)
    await client.close()


async def test_after_the_bus_comes_back_the_hub_reads_what_it_missed(world, room, monkeypatch):
    from realtime.hub import current_hub

    client, _ = await connect(world.participant)
    await client.subscribe(room)
    monkeypatch.setattr(publishing, "fan_out_many", lambda *args: None)
    await database_sync_to_async(say)(room, 2)
    monkeypatch.undo()
    assert await client.nothing()
    (await current_hub()).catch_up()
    assert [f["data"]["body"] for f in await client.events(2)] == ["m1", "m2"]
    await client.close()


async def test_a_dropped_redis_connection_loses_no_event(world, room):
    import redis

    from realtime.hub import current_hub
    from tests.services import require_redis

    url = require_redis()
    client, _ = await connect(world.participant)
    await client.subscribe(room)
    hub = await current_hub()
    host, port = hub.listener.pubsub.connection._writer.get_extra_info("sockname")[:2]
    redis.Redis.from_url(url).client_kill_filter(_type=None, addr=f"{host}:{port}")
    await database_sync_to_async(say)(room, 1)
    await asyncio.sleep(1)
    await database_sync_to_async(say)(room, 1, start=2)
    assert [f["data"]["body"] for f in await client.events(2)] == ["m1", "m2"]
    assert await client.nothing()
    await client.close()


async def test_a_since_ahead_of_the_topic_follows_its_real_head(world, room):
    await database_sync_to_async(say)(room, 3)
    client, _ = await connect(world.participant)
    await client.send(op="subscribe", topic=room, since=50, ref="s")
    assert await client.recv() == {"op": "resync", "topic": room, "seq": 3}
    assert (await client.recv())["seq"] == 3
    await database_sync_to_async(say)(room, 1, start=4)
    assert [f["seq"] for f in await client.events(1)] == [4]
    await client.close()
