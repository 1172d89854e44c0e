"""Directed ephemeral frames between sockets and server peers, in one process and across two."""

import asyncio
from typing import ClassVar, Literal

import pytest

from realtime import attach
from realtime.events import Event
from tests.realtime.support import ROOM_APPLICATION, connect, connect_remote, drain, of_type
from tests.services import require_redis

pytestmark = [pytest.mark.django_db(transaction=True)]


class RtcAnswer(Event):
    durable: ClassVar[bool] = False
    type: Literal["rtc.answer"] = "rtc.answer"
    sdp: str


@pytest.fixture
def studio(world) -> str:
    return f"studio:{world.session.pk}"


async def next_frame(peer, timeout: float = 5):
    return await asyncio.wait_for(peer.__anext__(), timeout)


async def test_a_server_peer_hears_the_socket_that_called_it_and_answers_it_alone(world, studio):
    peer = await attach(studio, "sfu", types={"rtc.signal", "connection.left"})
    alice, _ = await connect(world.participant)
    bob, _ = await connect(world.trainer)
    for client in (alice, bob):
        assert (await client.subscribe(studio))["op"] == "subscribed"

    offer = {"sdp": "v=0 offre d'Alice"}
    await alice.send(op="send", topic=studio, type="rtc.signal", to="sfu", data=offer)
    heard = await next_frame(peer)
    assert (heard.topic, heard.type, heard.data) == (studio, "rtc.signal", offer)
    assert heard.user_id == world.participant.pk and heard.sender

    await peer.send(RtcAnswer(sdp="v=0 réponse"), to=heard.sender)
    answer = await alice.until(lambda f: f.get("type") == "rtc.answer")
    assert answer == {
        "topic": studio,
        "type": "rtc.answer",
        "from": "sfu",
        "data": {"sdp": "v=0 réponse"},
    }
    await alice.close()
    left = await next_frame(peer)
    assert (left.type, left.sender) == ("connection.left", heard.sender)
    assert of_type(await drain(bob), "rtc.") == []
    await bob.close()
    await peer.close()


async def test_a_peer_name_is_taken_once_per_topic(world, studio):
    peer = await attach(studio, "sfu", types={"rtc.signal"})
    with pytest.raises(ValueError, match="already"):
        await attach(studio, "sfu", types={"rtc.signal"})
    with pytest.raises(ValueError, match="name"):
        await attach(studio, "un.point", types={"rtc.signal"})
    await peer.close()


@pytest.mark.slow
async def test_signalling_crosses_processes_to_one_socket_and_to_a_worker_peer(world, daphne):
    """Alice on one process, Bob on another, the media worker (this test) on neither."""
    require_redis()
    a, b = (daphne(application=ROOM_APPLICATION) for _ in "ab")
    studio = f"studio:{world.session.pk}"
    peer = await attach(studio, "sfu", types={"rtc.signal"})
    alice = await connect_remote(a, world.participant)
    carol = await connect_remote(a, world.tutor)
    bob = await connect_remote(b, world.trainer)
    for client in (alice, carol):
        assert (await client.subscribe(studio))["op"] == "subscribed"
    assert (await bob.subscribe(studio))["op"] == "subscribed"
    bob_id = (
        await alice.until(
            lambda f: f.get("type") == "connection.joined" and f["user_id"] == world.trainer.pk
        )
    )["from"]

    ack = await alice.op("send", topic=studio, type="rtc.signal", to=bob_id, data={"ice": 1})
    assert ack["op"] == "ack"
    frame = await bob.until(lambda f: f.get("type") == "rtc.signal")
    assert (frame["data"], frame["user_id"]) == ({"ice": 1}, world.participant.pk)

    await bob.send(op="send", topic=studio, type="rtc.signal", to="sfu", data={"sdp": "offre"})
    heard = await next_frame(peer, timeout=10)
    assert (heard.data, heard.sender, heard.user_id) == ({"sdp": "offre"}, bob_id, world.trainer.pk)
    await peer.send(RtcAnswer(sdp="réponse"), to=heard.sender)
    assert (await bob.until(lambda f: f.get("type") == "rtc.answer"))["from"] == "sfu"

    await alice.op("send", topic=studio, type="cursor.move", data={"x": 1})
    assert (await carol.until(lambda f: f.get("type") == "cursor.move"))["data"] == {"x": 1}
    assert of_type(carol.backlog, "rtc.") == []
    for client in (alice, bob, carol):
        await client.close()
    await peer.close()
