"""Clients' durable sends on one topic are committed in batches (group commit): each sender
still gets its own number or its own error, and readers still see every topic's numbers
gapless, once, in commit order, with the rows the handlers wrote."""

import asyncio
import json
import threading

import pytest
from channels.db import database_sync_to_async
from django.db import close_old_connections

from classrooms import selectors, services
from classrooms.models import ChatMessage
from realtime import publish, publishing, sending
from realtime.models import StoredEvent
from realtime.selectors import frames_between
from realtime.topics import Sender, parse_topic, register_topic
from tests import factories
from tests.realtime.support import Said, connect
from tests.services import require_postgres

pytestmark = [pytest.mark.django_db(transaction=True)]

# Released by the test once the sends it holds back wait for the same batch.
GATE = threading.Event()


def chat_then_fail(sender: Sender, data: dict) -> None:
    """A chat line and its event; "lent" first waits for the gate, "panne" fails once both
    are written (a bug after the write)."""
    body = data["body"]
    if body == "lent":
        GATE.wait(10)
    room = selectors.get_classroom(sender.object_id)
    line = ChatMessage.objects.create(classroom=room, author=sender.user, body=body)
    publish(str(sender.topic), Said(body=body, author_id=line.pk))
    if body == "panne":
        raise RuntimeError("panne après l'écriture")


register_topic(
    "chatbatch",
    authorize=selectors.topic_decision,
    durable={"chat.message": chat_then_fail},
    presence=False,
)


@pytest.fixture
def room(world):
    return services.create_room(scope=world.session.scope, actor=world.trainer, title="Classe")


def _bodies(topic: str) -> list[tuple[int, str]]:
    return [(seq, json.loads(frame)["data"]["body"]) for seq, frame in frames_between(topic, 0)]


async def _chat(client, count: int) -> list[dict]:
    found: list[dict] = []
    while len(found) < count:
        frame = await client.recv(timeout=30)
        if frame.get("type") == "chat.message":
            found.append(frame)
    return found


async def _acks(client, count: int) -> dict[str, dict]:
    answers = {}
    while len(answers) < count:
        frame = await client.recv(timeout=30)
        if frame.get("op") in ("ack", "error"):
            answers[frame["ref"]] = frame
    return answers


async def test_a_class_of_thirty_chatting_at_once_gets_distinct_gapless_numbers_in_order(
    world, room
):
    """30 people each send 3 lines without waiting for their acks: every ack has its own
    number, the numbers are 1..90, each line is stored with its event, and a listener
    (and any reader of the outbox, at any moment) sees them in order with no hole."""
    require_postgres()
    topic = room.topic
    people = await database_sync_to_async(factories.crowd)(world.session, 30)
    listener, _ = await connect(world.trainer)
    await listener.subscribe(topic)
    senders = []
    for person in people:
        client, _ = await connect(person)
        await client.subscribe(topic)
        senders.append(client)

    holes: list[list[int]] = []
    stop = threading.Event()

    def read() -> None:
        try:
            while not stop.is_set():
                seen = list(
                    StoredEvent.objects.filter(topic=topic, seq__isnull=False)
                    .order_by("seq")
                    .values_list("seq", flat=True)
                )
                if seen != list(range(1, len(seen) + 1)):
                    holes.append(seen)
        finally:
            close_old_connections()

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for n in range(3):
            for i, client in enumerate(senders):
                data = {"body": f"{i}:{n}"}
                await client.send(op="send", topic=topic, type="chat.message", data=data, ref=n)
        answers = await asyncio.gather(*(_acks(client, 3) for client in senders))
        heard = await _chat(listener, 90)
    finally:
        stop.set()
        await asyncio.to_thread(reader.join, 30)

    assert holes == []
    seqs = [answer[n]["seq"] for answer in answers for n in range(3)]
    assert all(answer[n]["op"] == "ack" for answer in answers for n in range(3))
    assert sorted(seqs) == list(range(1, 91))
    # Each person's lines numbered in the order they were sent.
    assert all(answer[0]["seq"] < answer[1]["seq"] < answer[2]["seq"] for answer in answers)
    assert [frame["seq"] for frame in heard] == list(range(1, 91))
    by_seq = {frame["seq"]: frame["data"] for frame in heard}
    for i, answer in enumerate(answers):
        sent = [by_seq[answer[n]["seq"]]["body"] for n in range(3)]
        assert sent == [f"{i}:{n}" for n in range(3)]
    lines = await database_sync_to_async(
        lambda: dict(ChatMessage.objects.filter(classroom=room).values_list("pk", "body"))
    )()
    assert {data["message_id"]: data["body"] for data in by_seq.values()} == lines
    for client in (listener, *senders):
        await client.close()


async def test_a_handler_failing_inside_a_batch_answers_its_sender_alone(world, room):
    """Three sends wait behind slow ones and are committed together; the middle one fails
    after writing: its sender gets an error, and neither its chat line nor its event is
    kept, while the two others are stored, acked and numbered without a hole."""
    topic = f"chatbatch:{room.pk}"
    GATE.clear()
    # As many slow sends as a topic has batches in flight: the three others wait together.
    held = sending.BATCHES_PER_TOPIC
    people = await database_sync_to_async(factories.crowd)(world.session, held + 3)
    clients = []
    for user in people:
        client, _ = await connect(user)
        await client.subscribe(topic)
        clients.append(client)
    slow, (un, panne, deux) = clients[:held], clients[held:]

    for n, client in enumerate(slow, 1):
        await client.send(op="send", topic=topic, type="chat.message", data={"body": "lent"}, ref=0)
        async with asyncio.timeout(10):  # taken by a batch of its own, held by the gate
            while _waiting(topic) or len(_batches(topic)) < n:
                await asyncio.sleep(0.01)
    for client, body in ((un, "un"), (panne, "panne"), (deux, "deux")):
        await client.send(op="send", topic=topic, type="chat.message", data={"body": body}, ref=0)
    async with asyncio.timeout(10):
        while _waiting(topic) < 3:
            await asyncio.sleep(0.01)
    GATE.set()
    answers = [await client.until(lambda f: f.get("ref") == 0, 30) for client in clients]

    ok, failed, ok_too = answers[held:]
    assert (failed["op"], failed["code"]) == ("error", "internal")
    acked = [answer for answer in answers if answer["op"] == "ack"]
    assert sorted(answer["seq"] for answer in acked) == list(range(1, held + 3))
    assert ok_too["seq"] == ok["seq"] + 1  # committed together, in the order sent
    stored = await database_sync_to_async(_bodies)(topic)
    sent = ["lent"] * held + ["un", "panne", "deux"]
    assert stored == sorted(
        (answer["seq"], body) for answer, body in zip(answers, sent, strict=True) if "seq" in answer
    )
    lines = await database_sync_to_async(
        lambda: list(ChatMessage.objects.filter(classroom=room).values_list("body", flat=True))
    )()
    assert sorted(lines) == sorted(["lent"] * held + ["un", "deux"])
    heard = await _chat(un, held + 2)
    assert [(f["seq"], f["data"]["body"]) for f in heard] == stored
    for client in clients:
        await client.close()


def test_one_transaction_numbers_its_calls_and_leaves_out_the_one_that_failed(world, room):
    """`publish_together`: each call's rows and events commit with the others or, when it
    raises, are rolled back alone; the numbers follow the calls' order."""
    topic = f"chatbatch:{room.pk}"
    sender = Sender(world.participant, "c.1", parse_topic(topic))

    outcomes = publishing.publish_together(
        [lambda body=body: chat_then_fail(sender, {"body": body}) for body in ("a", "panne", "b")]
    )

    assert outcomes[0] == [(topic, 1)] and outcomes[2] == [(topic, 2)]
    assert isinstance(outcomes[1], RuntimeError)
    assert _bodies(topic) == [(1, "a"), (2, "b")]
    assert sorted(ChatMessage.objects.values_list("body", flat=True)) == ["a", "b"]


def test_a_batch_whose_numbering_fails_commits_nothing_and_leaves_no_hole(world, room, monkeypatch):
    """A batch that cannot finish (its numbering fails, as when the process dies before its
    commit) keeps none of its rows: every call fails, the next send takes number 1."""
    topic = f"chatbatch:{room.pk}"
    sender = Sender(world.participant, "c.1", parse_topic(topic))

    def dies(topics):
        raise RuntimeError("numbering failed")

    monkeypatch.setattr(publishing, "_number", dies)
    with pytest.raises(RuntimeError):
        publishing.publish_together(
            [lambda body=body: chat_then_fail(sender, {"body": body}) for body in ("a", "b")]
        )
    monkeypatch.undo()
    assert not ChatMessage.objects.exists() and not StoredEvent.objects.exists()

    assert publishing.publish_together([lambda: chat_then_fail(sender, {"body": "c"})]) == [
        [(topic, 1)]
    ]
    assert _bodies(topic) == [(1, "c")]


def test_a_batch_numbers_what_a_writer_left_waiting_before_its_own_events(world, room, monkeypatch):
    """An event committed by another writer that died before numbering it is numbered (and
    fanned out) by the next batch on its topic, before the batch's own."""
    topic = f"chatbatch:{room.pk}"
    sender = Sender(world.participant, "c.1", parse_topic(topic))
    monkeypatch.setattr(publishing, "_number", lambda topics: [])
    publish(topic, Said(body="orphelin", author_id=world.trainer.pk))
    monkeypatch.undo()

    with publishing.capture() as delivered:
        taken = publishing.publish_together([lambda: chat_then_fail(sender, {"body": "moi"})])

    assert taken == [[(topic, 2)]]
    assert _bodies(topic) == [(1, "orphelin"), (2, "moi")]
    assert [event.body for _, event in delivered] == ["moi"]


def _writers(topic: str) -> list[sending.TopicWriter]:
    """The topic's writer in this process (the test's hub)."""
    writers = [hub_writers.get(topic) for hub_writers in list(sending._writers.values())]
    return [writer for writer in writers if writer is not None]


def _waiting(topic: str) -> int:
    """Sends waiting for one of the topic's next batches."""
    return sum(len(writer.waiting) for writer in _writers(topic))


def _batches(topic: str) -> list:
    return [batch for writer in _writers(topic) for batch in writer.batches]
