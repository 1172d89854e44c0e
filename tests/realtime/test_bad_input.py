"""Hostile or clumsy frames: an error frame each, the socket survives, nothing changes."""

import json

import pytest
from channels.db import database_sync_to_async

from realtime.models import StoredEvent, TopicSequence
from tests.realtime.support import connect

pytestmark = [pytest.mark.django_db(transaction=True)]


def stored() -> list:
    return list(StoredEvent.objects.values_list("topic", "seq", "frame")) + list(
        TopicSequence.objects.values_list("topic", "last_seq")
    )


HOSTILE = [
    ("not json", "invalid", None),
    ("[" * 60_000, "invalid", None),  # under the frame limit, past the parser's recursion limit
    ("[1, 2, 3]", "invalid", None),
    ('"subscribe"', "invalid", None),
    ("{}", "invalid", "op"),
    ('{"op": "explode"}', "invalid", "op"),
    ('{"op": "websocket.disconnect"}', "invalid", "op"),
    ('{"op": "subscribe"}', "invalid", "topic"),
    ('{"op": "subscribe", "topic": 12}', "invalid", "topic"),
    ('{"op": "subscribe", "topic": "room"}', "invalid", "topic"),
    ('{"op": "subscribe", "topic": "room:0"}', "invalid", "topic"),
    ('{"op": "subscribe", "topic": "room:-3"}', "invalid", "topic"),
    ('{"op": "subscribe", "topic": "../etc:1"}', "invalid", "topic"),
    ('{"op": "subscribe", "topic": "nowhere:1"}', "not_found", "topic"),
    ('{"op": "subscribe", "topic": "room:1", "since": -1}', "invalid", "since"),
    ('{"op": "subscribe", "topic": "room:1", "since": "4"}', "invalid", "since"),
    ('{"op": "subscribe", "topic": "room:1", "since": true}', "invalid", "since"),
    ('{"op": "subscribe", "topic": "room:1", "evil": 1}', "invalid", "evil"),
    ('{"op": "unsubscribe", "topic": "room:1"}', "not_found", "topic"),
    ('{"op": "send", "topic": "room:1", "type": "chat.message", "data": []}', "invalid", "data"),
    ('{"op": "send", "topic": "room:1", "type": "chat_message", "data": {}}', "forbidden", "topic"),
    (json.dumps({"op": "subscribe", "topic": "x" * 100}), "invalid", "topic"),
    (json.dumps({"op": "send", "topic": "room:1", "data": {"b": "x" * 70_000}}), "too_large", None),
]


async def test_each_hostile_frame_gets_an_error_and_the_socket_survives(world, room):
    before = await database_sync_to_async(stored)()
    client, _ = await connect(world.participant)
    for text, code, field in HOSTILE:
        await client.raw(text.replace("room:1", room))
        answer = await client.recv()
        assert answer["op"] == "error", text
        assert answer["code"] == code, text
        assert answer.get("details", {}).get("field") == field, text
        assert answer["message"]
    assert (await client.subscribe(room))["op"] == "subscribed"
    assert await database_sync_to_async(stored)() == before
    await client.close()


async def test_a_binary_frame_gets_an_error(world):
    client, _ = await connect(world.participant)
    await client.ws.send_to(bytes_data=b"\x00\x01")
    assert (await client.recv())["code"] == "invalid"
    await client.close()


async def test_errors_echo_the_clients_ref(world):
    client, _ = await connect(world.participant)
    await client.send(op="subscribe", topic="nowhere:1", ref="c-17")
    assert (await client.recv())["ref"] == "c-17"
    await client.close()


@pytest.mark.parametrize(
    ("data", "field"), [({}, "data.body"), ({"body": ""}, "data.body"), ({"body": 3}, "data.body")]
)
async def test_a_send_with_invalid_data_is_refused_and_stores_nothing(world, room, data, field):
    client, _ = await connect(world.participant)
    await client.subscribe(room)
    answer = await client.op("send", topic=room, type="chat.message", data=data)
    assert (answer["code"], answer["details"]["field"]) == ("invalid", field)
    assert await database_sync_to_async(stored)() == []
    await client.close()


@pytest.mark.parametrize(
    ("data", "field"), [({"active": "peut-être"}, "data.active"), ({"extra": 1}, "data.extra")]
)
async def test_data_refused_by_an_event_model_names_the_field(world, room, data, field):
    client, _ = await connect(world.participant)
    await client.subscribe(room)
    answer = await client.op("send", topic=room, type="chat.typing", data=data)
    assert (answer["code"], answer["details"]["field"]) == ("invalid", field)
    ack = await client.op("send", topic=room, type="chat.typing", data={"active": False})
    assert ack["op"] == "ack"
    await client.close()


async def test_sending_an_unregistered_type_is_refused(world, room):
    client, _ = await connect(world.participant)
    await client.subscribe(room)
    answer = await client.op("send", topic=room, type="presence.join", data={})
    assert (answer["code"], answer["details"]["field"]) == ("invalid", "type")
    await client.close()


async def test_subscribing_twice_is_a_conflict(world, room):
    client, _ = await connect(world.participant)
    await client.subscribe(room)
    assert (await client.subscribe(room))["code"] == "conflict"
    await client.close()
