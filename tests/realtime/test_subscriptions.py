"""Who may follow which topic, and what a subscriber receives."""

import pytest
from channels.db import database_sync_to_async

from realtime import apublish, publish
from realtime.models import StoredEvent
from tests.realtime.support import Said, Typing, connect

pytestmark = [pytest.mark.django_db(transaction=True)]

EXPECTED = {
    "participant": True,
    "other_participant": True,
    "tutor": True,
    "trainer": True,
    "admin_granted": True,
    "inspector": False,
    "admin": False,
    "designer": False,
    "national": False,
    "outsider": False,
}


@pytest.mark.parametrize(("standing", "allowed"), EXPECTED.items())
async def test_subscribing_to_a_session_topic_follows_the_policies(world, room, standing, allowed):
    client, _ = await connect(world.by_standing(standing))
    answer = await client.subscribe(room)
    if allowed:
        assert answer["op"] == "subscribed"
    else:
        assert answer["op"] == "error"
        assert answer["code"] == "forbidden"
        assert answer["topic"] == room
    await client.close()


@pytest.mark.parametrize(("owner", "allowed"), [("participant", True), ("trainer", False)])
async def test_a_personal_topic_is_for_its_owner_only(world, owner, allowed):
    client, _ = await connect(world.participant)
    answer = await client.subscribe(f"user:{world.by_standing(owner).pk}")
    assert (answer["op"] == "subscribed") is allowed
    await client.close()


async def test_an_unknown_session_is_not_found(world):
    client, _ = await connect(world.participant)
    answer = await client.subscribe("room:987654")
    assert answer["code"] == "not_found"
    await client.close()


async def test_anonymous_sockets_are_refused(world):
    client, code = await connect(None)
    assert client is None
    assert code == 4401


async def test_the_session_cookie_of_a_logged_in_page_authenticates_the_socket(world):
    from channels.testing import WebsocketCommunicator
    from django.test import Client as HttpClient

    from tests.realtime.support import SAME_ORIGIN, LocalClient, application

    browser = HttpClient()
    await database_sync_to_async(browser.force_login)(world.participant)
    cookie = f"sessionid={browser.cookies['sessionid'].value}".encode()
    ws = WebsocketCommunicator(application(), "/ws/", headers=[*SAME_ORIGIN, (b"cookie", cookie)])
    assert (await ws.connect())[0]
    client = LocalClient(ws)
    assert (await client.subscribe(f"user:{world.participant.pk}"))["op"] == "subscribed"
    await client.close()


async def test_a_foreign_origin_is_refused(world):
    client, _ = await connect(world.participant, origin="https://evil.example")
    assert client is None


async def test_subscribers_receive_events_with_their_sequence_and_nothing_else(world, room):
    alice, _ = await connect(world.participant)
    bob, _ = await connect(world.other_participant)
    assert (await alice.subscribe(room))["seq"] == 0
    await bob.subscribe(f"user:{world.other_participant.pk}")

    await database_sync_to_async(publish)(room, Said(body="Bonjour", author_id=1))
    await database_sync_to_async(publish)(room, Typing(author_id=1))

    first, second = await alice.events(2)
    assert (first["seq"], first["type"], first["data"]["body"]) == (1, "chat.message", "Bonjour")
    assert second["type"] == "chat.typing"
    assert "seq" not in second
    assert await database_sync_to_async(StoredEvent.objects.count)() == 1
    assert await bob.nothing()
    await alice.close()
    await bob.close()


async def test_a_send_is_acknowledged_with_its_seq_and_reaches_the_others(world, room):
    alice, _ = await connect(world.participant)
    bob, _ = await connect(world.trainer)
    await alice.subscribe(room)
    await bob.subscribe(room)

    ack = await alice.op("send", topic=room, type="chat.message", data={"body": "Salut"})
    assert ack == {"op": "ack", "ref": ack["ref"], "seq": 1}
    (received,) = await bob.events(1)
    assert received["data"] == {"body": "Salut", "author_id": world.participant.pk}
    await alice.close()
    await bob.close()


async def test_sending_requires_a_subscription(world, room):
    alice, _ = await connect(world.participant)
    answer = await alice.op("send", topic=room, type="chat.message", data={"body": "x"})
    assert answer["code"] == "forbidden"
    await alice.close()


async def test_an_unsubscribed_socket_stops_receiving(world, room):
    alice, _ = await connect(world.participant)
    await alice.subscribe(room)
    assert (await alice.op("unsubscribe", topic=room))["op"] == "unsubscribed"
    await database_sync_to_async(publish)(room, Said(body="après", author_id=1))
    assert await alice.nothing()
    await alice.close()


async def test_async_code_publishes_with_apublish(world, room):
    client, _ = await connect(world.participant)
    await client.subscribe(room)
    assert await apublish(room, Said(body="depuis du code asynchrone", author_id=1)) == 1
    assert (await client.events(1))[0]["data"]["body"] == "depuis du code asynchrone"
    await client.close()
