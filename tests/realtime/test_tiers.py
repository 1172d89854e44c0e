"""The two tiers on one topic kind: durable chat, and ephemeral cursors, hands, signalling and
binary document updates that touch neither the database nor a sequence."""

import pytest
from channels.db import database_sync_to_async

from realtime import db
from realtime.models import StoredEvent, TopicSequence
from tests.realtime.support import connect, drain, of_type

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def studio(world) -> str:
    return f"studio:{world.session.pk}"


async def joined(client, topic: str) -> None:
    assert (await client.subscribe(topic))["op"] == "subscribed"


async def connection_of(watcher) -> str:
    """The connection id of the next socket to arrive, as `connection.joined` announces it."""
    frame = await watcher.until(lambda f: f.get("type") == "connection.joined")
    return frame["from"]


def nothing_stored() -> bool:
    return not StoredEvent.objects.exists() and not TopicSequence.objects.exists()


async def test_an_ephemeral_frame_reaches_the_others_now_names_its_sender_and_stores_nothing(
    world, studio, monkeypatch
):
    database_calls = []
    real_run = db.run

    async def counting_run(fn, *args, **kwargs):
        database_calls.append(fn)
        return await real_run(fn, *args, **kwargs)

    alice, _ = await connect(world.participant)
    bob, _ = await connect(world.trainer)
    await joined(bob, studio)
    await joined(alice, studio)
    alice_id = await connection_of(bob)
    monkeypatch.setattr(db, "run", counting_run)

    await alice.send(op="send", topic=studio, type="cursor.move", data={"x": 3, "y": 4})
    frame = await bob.until(lambda f: f.get("type") == "cursor.move")
    assert frame == {
        "topic": studio,
        "type": "cursor.move",
        "from": alice_id,
        "user_id": world.participant.pk,
        "data": {"x": 3, "y": 4},
    }
    assert await alice.nothing()  # no echo, no ack without a ref
    ack = await alice.op("send", topic=studio, type="cursor.move", data={"x": 5})
    assert ack == {"op": "ack", "ref": ack["ref"], "seq": None}
    assert database_calls == []
    assert await database_sync_to_async(nothing_stored)()
    await alice.close()
    await bob.close()


SENDERS = {
    "participant": "relayed",
    "tutor": "relayed",
    "trainer": "relayed",
    # May read the session's topics with a grant, never take part in them.
    "admin_granted": "forbidden",
    "inspector": "not_subscribed",
    "admin": "not_subscribed",
    "designer": "not_subscribed",
    "national": "not_subscribed",
    "outsider": "not_subscribed",
}


@pytest.mark.parametrize(("standing", "expected"), SENDERS.items())
async def test_who_may_send_ephemeral_frames(world, studio, standing, expected):
    watcher, _ = await connect(world.other_participant)
    await joined(watcher, studio)
    client, _ = await connect(world.by_standing(standing))
    subscribed = await client.subscribe(studio)
    assert (subscribed["op"] == "subscribed") is (expected != "not_subscribed")
    answer = await client.op("send", topic=studio, type="cursor.move", data={"x": 1})
    if expected == "relayed":
        assert answer["op"] == "ack"
        assert (await watcher.until(lambda f: f.get("type") == "cursor.move"))["data"] == {"x": 1}
    else:
        assert (answer["op"], answer["code"]) == ("error", "forbidden")
        assert of_type(await drain(watcher), "cursor.move") == []
    await client.close()
    await watcher.close()


@pytest.mark.parametrize(
    ("frame", "code", "field"),
    [
        ({"type": "cursor.move", "data": {"pad": "x" * 300}}, "too_large", None),
        ({"type": "cursor.move", "to": "abc.1", "data": {}}, "invalid", "to"),
        ({"type": "chat.message", "to": "abc.1", "data": {"body": "x"}}, "invalid", "to"),
        ({"type": "hand.raise", "data": {"raised": "peut-être"}}, "invalid", "data.raised"),
        ({"type": "hand.raise", "data": {"raised": True, "extra": 1}}, "invalid", "data.extra"),
        ({"type": "presence.join", "data": {}}, "invalid", "type"),
        ({"type": "rtc.signal", "to": "", "data": {}}, "invalid", "to"),
    ],
)
async def test_bad_ephemeral_frames_are_refused_and_reach_no_one(world, studio, frame, code, field):
    alice, _ = await connect(world.participant)
    bob, _ = await connect(world.trainer)
    await joined(bob, studio)
    await joined(alice, studio)
    await connection_of(bob)
    answer = await alice.op("send", topic=studio, **frame)
    assert (answer["op"], answer["code"]) == ("error", code)
    assert answer.get("details", {}).get("field") == field
    if code == "too_large":
        assert answer["details"]["max_bytes"] == 256
    assert await drain(bob) == []
    await alice.close()
    await bob.close()


async def test_ephemeral_sends_have_a_per_socket_budget(world, studio, settings):
    settings.REALTIME_EPHEMERAL_RATE, settings.REALTIME_EPHEMERAL_BURST = 1.0, 3
    alice, _ = await connect(world.participant)
    await joined(alice, studio)
    answers = [
        await alice.op("send", topic=studio, type="cursor.move", data={"n": n}) for n in range(4)
    ]
    assert [a["op"] for a in answers] == ["ack", "ack", "ack", "error"]
    assert answers[3]["code"] == "rate_limited" and answers[3]["details"]["retry_after"] > 0
    await alice.close()


async def test_an_ephemeral_handler_relays_what_it_validated(world, studio):
    alice, _ = await connect(world.participant)
    bob, _ = await connect(world.trainer)
    await joined(bob, studio)
    await joined(alice, studio)
    alice_id = await connection_of(bob)
    await alice.send(op="send", topic=studio, type="hand.raise", data={"raised": True})
    frame = await bob.until(lambda f: f.get("type") == "hand.raised")
    assert frame["from"] == alice_id
    assert frame["data"] == {"user_id": world.participant.pk, "raised": True}
    await alice.close()
    await bob.close()


async def test_a_directed_frame_reaches_only_the_socket_it_names(world, studio):
    alice, _ = await connect(world.participant)
    bob, _ = await connect(world.trainer)
    carol, _ = await connect(world.tutor)
    await joined(alice, studio)
    await joined(carol, studio)
    await connection_of(alice)
    await joined(bob, studio)
    bob_id = await connection_of(alice)

    offer = {"sdp": "v=0 offre"}
    ack = await alice.op("send", topic=studio, type="rtc.signal", to=bob_id, data=offer)
    assert ack["op"] == "ack"
    frame = await bob.until(lambda f: f.get("type") == "rtc.signal")
    assert (frame["data"], frame["user_id"]) == (offer, world.participant.pk)
    answer = await bob.op("send", topic=studio, type="rtc.signal", to=frame["from"], data={"a": 1})
    assert answer["op"] == "ack"
    assert (await alice.until(lambda f: f.get("type") == "rtc.signal"))["from"] == bob_id
    assert of_type(await drain(carol), "rtc.signal") == []
    # To a socket that has gone, or never was: accepted, delivered to no one.
    gone = await alice.op("send", topic=studio, type="rtc.signal", to="0000.99", data=offer)
    assert gone["op"] == "ack"
    for client in (alice, bob, carol):
        await client.close()


async def test_binary_frames_for_a_binary_type(world, studio):
    alice, _ = await connect(world.participant)
    bob, _ = await connect(world.trainer)
    await joined(bob, studio)
    await joined(alice, studio)
    alice_id = await connection_of(bob)
    update = bytes(range(256)) * 4

    await alice.send_bytes(update, op="send", topic=studio, type="doc.update")
    frame = await bob.until(lambda f: f.get("type") == "doc.update")
    assert frame == {
        "topic": studio,
        "type": "doc.update",
        "from": alice_id,
        "user_id": world.participant.pk,
        "bytes": update,
    }
    await alice.send_bytes(b"x", op="send", topic=studio, type="cursor.move", ref="b1")
    assert (await alice.recv())["details"]["field"] == "type"
    await alice.send_bytes(b"x" * 70_000, op="send", topic=studio, type="doc.update")
    assert (await alice.recv())["code"] == "too_large"
    await alice.send_bytes(b"x", op="subscribe", topic=studio)
    assert (await alice.recv())["details"]["field"] == "op"
    await alice.raw(b"\x00\x05{}")
    assert (await alice.recv())["code"] == "invalid"
    await alice.raw(b"\x01\x00" + b"[" * 256)
    assert (await alice.recv())["code"] == "invalid"
    assert await drain(bob) == []
    await alice.close()
    await bob.close()


async def test_sockets_are_announced_as_they_come_and_go(world, studio):
    bob, _ = await connect(world.trainer)
    await joined(bob, studio)
    alice, _ = await connect(world.participant)
    await joined(alice, studio)
    arrived = await bob.until(lambda f: f.get("type") == "connection.joined")
    assert arrived["user_id"] == world.participant.pk
    await alice.close()
    left = await bob.until(lambda f: f.get("type") == "connection.left")
    assert (left["from"], left["user_id"]) == (arrived["from"], world.participant.pk)
    await bob.close()
