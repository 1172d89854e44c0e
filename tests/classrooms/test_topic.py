"""`classroom:<id>` through the gateway: who may follow it, chat that is replayed, bad sends."""

import pytest
from channels.db import database_sync_to_async

from classrooms import services
from tests.realtime.support import connect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def room(world):
    return services.create_room(scope=world.session.scope, actor=world.trainer, title="Classe")


async def test_members_follow_the_room_and_others_are_refused(world, room):
    topic = f"classroom:{room.pk}"
    for user in (world.participant, world.tutor, world.trainer):
        client, _ = await connect(user)
        assert (await client.subscribe(topic))["op"] == "subscribed"
        await client.close()
    for user in (world.inspector, world.admin_granted, world.outsider, world.national):
        client, _ = await connect(user)
        answer = await client.subscribe(topic)
        assert answer["op"] == "error" and answer["code"] == "forbidden"
        await client.close()
    client, _ = await connect(world.trainer)
    assert (await client.subscribe("classroom:99999999"))["code"] == "not_found"
    await client.close()


async def test_chat_sent_on_the_topic_is_durable_and_replayed(world, room):
    topic = f"classroom:{room.pk}"
    alice, _ = await connect(world.participant)
    bruno, _ = await connect(world.other_participant)
    await alice.subscribe(topic)
    await bruno.subscribe(topic)

    ack = await alice.op("send", topic=topic, type="chat.message", data={"body": "Bonjour"})
    assert ack["op"] == "ack"
    [line] = await bruno.events(1, topic)
    assert line["type"] == "chat.message" and line["data"]["body"] == "Bonjour"
    assert line["data"]["author_id"] == world.participant.pk
    await bruno.close()

    await alice.op("send", topic=topic, type="chat.message", data={"body": "Vous êtes là ?"})
    again, _ = await connect(world.other_participant)
    await again.subscribe(topic, since=line["seq"])
    [missed] = await again.events(1, topic)
    assert missed["data"]["body"] == "Vous êtes là ?"
    await alice.close()
    await again.close()


@pytest.mark.parametrize(
    ("kind", "data", "field"),
    [
        ("chat.message", {"body": 12}, "data.body"),
        ("chat.message", {"body": "   "}, "body"),
        ("chat.message", {"body": "x\x00y"}, "body"),
        ("chat.message", {"body": "x" * 2001}, "body"),
        ("hand.set", {"raised": "yes"}, "data.raised"),
        ("reaction", {"emoji": "💣"}, "data.emoji"),
        ("media.unknown", {}, "type"),
    ],
)
async def test_a_bad_send_gets_an_error_frame_and_changes_nothing(world, room, kind, data, field):
    topic = f"classroom:{room.pk}"
    client, _ = await connect(world.participant)
    await client.subscribe(topic)
    answer = await client.op("send", topic=topic, type=kind, data=data)
    assert answer["op"] == "error" and answer["details"]["field"] == field
    assert await database_sync_to_async(room.messages.count)() == 0
    # The socket stays usable.
    ok = await client.op("send", topic=topic, type="hand.set", data={"raised": True})
    assert ok["op"] == "ack"
    await client.close()
