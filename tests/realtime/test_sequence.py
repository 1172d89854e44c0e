"""Sequence numbers are taken after the write commits, in a short transaction of their own:
writers to one topic never wait on each other's transactions, and readers still see each
topic's numbers gapless, without duplicates, committed in order."""

import asyncio
import json
import random
import threading
import time

import pytest
from channels.db import database_sync_to_async
from django.db import close_old_connections, transaction

from realtime import publish, publishing
from realtime.models import StoredEvent
from realtime.selectors import frames_between, last_seq
from tests.realtime.support import Said, connect
from tests.services import require_postgres

pytestmark = [pytest.mark.django_db(transaction=True)]

TOPIC = "room:1"


def _thread(target, *args) -> threading.Thread:
    def run() -> None:
        try:
            target(*args)
        finally:
            close_old_connections()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _visible(topic: str) -> list[int]:
    """The numbers a reader sees on the topic, in one statement (one snapshot)."""
    return list(
        StoredEvent.objects.filter(topic=topic, seq__isnull=False)
        .order_by("seq")
        .values_list("seq", flat=True)
    )


def test_an_open_transaction_does_not_hold_up_another_writer_on_the_same_topic():
    require_postgres()
    published, other_done = threading.Event(), threading.Event()
    finished_while_open: list[bool] = []

    def slow_writer() -> None:
        with transaction.atomic():
            publish(TOPIC, Said(body="lent", author_id=1))
            published.set()
            other_done.wait(10)
            finished_while_open.append(other_done.is_set())

    def quick_writer() -> None:
        published.wait(10)
        with transaction.atomic():
            publish(TOPIC, Said(body="rapide", author_id=2))
        other_done.set()

    threads = [_thread(slow_writer), _thread(quick_writer)]
    for thread in threads:
        thread.join(30)

    assert finished_while_open == [True]
    bodies = [json.loads(frame)["data"]["body"] for _, frame in frames_between(TOPIC, 0)]
    # Numbered in commit order: the quick writer committed first.
    assert bodies == ["rapide", "lent"]


def test_thirty_concurrent_writers_leave_no_gap_no_duplicate_and_readers_never_see_a_hole():
    require_postgres()
    writers, rounds = 30, 12
    errors: list[BaseException] = []
    holes: list[list[int]] = []
    stop = threading.Event()

    def write(writer: int) -> None:
        rng = random.Random(writer)
        try:
            for n in range(rounds):
                with transaction.atomic():
                    publish(TOPIC, Said(body=f"{writer}:{n}:a", author_id=writer))
                    if rng.random() < 0.3:  # a longer transaction, two events
                        time.sleep(rng.random() / 100)
                        publish(TOPIC, Said(body=f"{writer}:{n}:b", author_id=writer))
        except BaseException as exc:
            errors.append(exc)

    def read() -> None:
        while not stop.is_set():
            seen = _visible(TOPIC)
            if seen != list(range(1, len(seen) + 1)):
                holes.append(seen)

    reader = _thread(read)
    threads = [_thread(write, n) for n in range(writers)]
    for thread in threads:
        thread.join(120)
    stop.set()
    reader.join(30)

    assert errors == [] and holes == []
    frames = [json.loads(frame) | {"row": seq} for seq, frame in frames_between(TOPIC, 0)]
    total = len(frames)
    assert total >= writers * rounds
    assert [f["seq"] for f in frames] == [f["row"] for f in frames] == list(range(1, total + 1))
    assert last_seq(TOPIC) == total
    assert not StoredEvent.objects.filter(seq__isnull=True).exists()
    # Each writer's events in the order it wrote them.
    for writer in range(writers):
        mine = [f["data"]["body"] for f in frames if f["data"]["author_id"] == writer]
        assert mine == sorted(mine, key=lambda b: (int(b.split(":")[1]), b[-1]))


async def test_a_subscriber_receives_concurrent_writers_events_in_order_exactly_once(world, room):
    writers, each = 8, 15
    client, _ = await connect(world.participant)
    await client.subscribe(room)

    def write(writer: int) -> None:
        for n in range(each):
            with transaction.atomic():
                publish(room, Said(body=f"{writer}:{n}", author_id=writer))

    threads = [_thread(write, n) for n in range(writers)]
    frames = await client.events(writers * each)
    await asyncio.gather(*(asyncio.to_thread(thread.join) for thread in threads))

    assert [f["seq"] for f in frames] == list(range(1, writers * each + 1))
    assert len({f["data"]["body"] for f in frames}) == writers * each
    assert await client.nothing()
    await client.close()


def test_the_number_is_taken_after_the_commit_and_only_then_visible():
    with transaction.atomic():
        publish(TOPIC, Said(body="en cours", author_id=1))
        assert last_seq(TOPIC) == 0
        assert StoredEvent.objects.get().seq is None
    assert last_seq(TOPIC) == 1
    assert [seq for seq, _ in frames_between(TOPIC, 0)] == [1]


def test_a_writer_that_dies_after_its_commit_leaves_its_event_to_the_next_publish(monkeypatch):
    def dies(topics):
        raise RuntimeError("process killed between commit and numbering")

    monkeypatch.setattr(publishing, "_number", dies)
    publish(TOPIC, Said(body="orphelin", author_id=1))
    monkeypatch.undo()
    assert last_seq(TOPIC) == 0 and frames_between(TOPIC, 0) == []

    assert publish(TOPIC, Said(body="suivant", author_id=1)) == 2
    bodies = [json.loads(frame)["data"]["body"] for _, frame in frames_between(TOPIC, 0)]
    assert bodies == ["orphelin", "suivant"]


def test_the_sweep_numbers_events_left_waiting_since_the_previous_sweep(monkeypatch):
    monkeypatch.setattr(publishing, "_number", lambda topics: [])
    publish(TOPIC, Said(body="orphelin", author_id=1))
    monkeypatch.undo()

    seen = publishing.sweep()  # notes what waits, leaves it to its writer for now
    assert seen > 0 and last_seq(TOPIC) == 0
    assert publishing.sweep(seen) == 0
    assert [seq for seq, _ in frames_between(TOPIC, 0)] == [1]


async def test_a_hub_sweeps_an_orphaned_event_to_its_subscribers(
    world, room, settings, monkeypatch
):
    settings.REALTIME_SWEEP_EVERY = 0.1
    client, _ = await connect(world.participant)
    await client.subscribe(room)
    monkeypatch.setattr(publishing, "_number", lambda topics: [])
    await database_sync_to_async(publish)(room, Said(body="orphelin", author_id=1))
    monkeypatch.undo()

    (frame,) = await client.events(1)
    assert (frame["seq"], frame["data"]["body"]) == (1, "orphelin")
    await client.close()
