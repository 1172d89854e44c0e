"""The handshake's Origin check, the sockets one account may open, the subscribe budget."""

import asyncio

import pytest
from websockets.exceptions import ConnectionClosed

from realtime.hub import current_hub
from tests.realtime.support import connect, connect_remote
from tests.services import require_redis

pytestmark = [pytest.mark.django_db(transaction=True)]

ORIGINS = [
    # (Origin header, Host header, accepted)
    ("http://testserver", "testserver", True),
    ("http://localhost:8000", "localhost:8000", True),
    ("https://localhost", "localhost", True),
    ("http://[::1]:8000", "[::1]:8000", True),
    ("http://localhost:9999", "localhost:8000", False),  # another program on the machine
    ("http://localhost", "localhost:8000", False),
    ("https://localhost:8000", "localhost:8000", True),  # behind TLS: same host and port
    ("https://evil.example", "testserver", False),
    ("http://testserver.evil.example", "testserver", False),
    ("http://evil.example", "evil.example", False),  # a host this site does not serve
    ("null", "testserver", False),  # sandboxed frames, file:// pages
    ("", "testserver", False),
    ("http://testserver:99999", "testserver", False),  # malformed port
    ("https://partner.example:8443", "testserver", True),  # CSRF_TRUSTED_ORIGINS
    ("https://partner.example", "testserver", False),  # trusted with another port only
]


@pytest.mark.parametrize(("origin", "host", "accepted"), ORIGINS)
async def test_the_origin_must_be_this_sites_host_and_port(world, settings, origin, host, accepted):
    settings.CSRF_TRUSTED_ORIGINS = ["https://partner.example:8443"]
    client, _ = await connect(world.participant, origin=origin, host=host)
    assert (client is not None) is accepted
    if client is not None:
        assert (await client.subscribe(f"user:{world.participant.pk}"))["op"] == "subscribed"
        await client.close()


async def test_an_account_past_its_socket_cap_gets_an_error_frame_then_a_close(world, settings):
    settings.REALTIME_MAX_SOCKETS_PER_USER = 3
    tabs = [(await connect(world.participant))[0] for _ in range(3)]
    refused, _ = await connect(world.participant)

    frame = await refused.recv()
    assert (frame["op"], frame["code"]) == ("error", "rate_limited")
    assert frame["details"] == {"max_sockets": 3}
    assert (await refused.ws.receive_output(timeout=2)) == {
        "type": "websocket.close",
        "code": 4429,
    }
    # Another account is not affected, and a closed tab frees its place.
    other, _ = await connect(world.other_participant)
    assert (await other.subscribe(f"user:{world.other_participant.pk}"))["op"] == "subscribed"
    await tabs.pop().close()
    again, _ = await connect(world.participant)
    assert (await again.subscribe(f"user:{world.participant.pk}"))["op"] == "subscribed"
    hub = await current_hub()
    assert len(hub.sockets.open[world.participant.pk]) == 3
    for client in (*tabs, other, again):
        await client.close()


async def test_subscribe_and_unsubscribe_have_a_budget_per_socket(world, room, settings):
    # Slow enough a refill that a busy machine does not earn the fifth op back meanwhile.
    settings.REALTIME_SUBSCRIBE_RATE = 0.4
    settings.REALTIME_SUBSCRIBE_BURST = 4
    client, _ = await connect(world.participant)
    topic = f"user:{world.participant.pk}"
    answers = []
    for _ in range(2):
        answers.append(await client.subscribe(topic))
        answers.append(await client.op("unsubscribe", topic=topic))
    refused = await client.subscribe(room)

    assert [a["op"] for a in answers] == ["subscribed", "unsubscribed"] * 2
    assert (refused["op"], refused["code"]) == ("error", "rate_limited")
    assert 0 < refused["details"]["retry_after"] <= 2.5
    # Refused, so not followed; the socket stays and may go on once the budget refills,
    # after exactly the wait it was told (rounded up, never down).
    await asyncio.sleep(refused["details"]["retry_after"])
    assert (await client.subscribe(room))["op"] == "subscribed"
    other, _ = await connect(world.participant)
    assert (await other.subscribe(topic))["op"] == "subscribed"
    await client.close()
    await other.close()


@pytest.mark.slow
async def test_the_socket_cap_counts_every_process_and_forgets_a_killed_one(world, daphne):
    require_redis()
    env = {"REALTIME_MAX_SOCKETS_PER_USER": "3", "REALTIME_PRESENCE_TTL": "1.5"}
    a, b = daphne(**env), daphne(**env)
    tabs = [await connect_remote(server, world.participant) for server in (a, b, b)]
    for tab in tabs:
        assert (await tab.subscribe(f"user:{world.participant.pk}"))["op"] == "subscribed"

    refused = await connect_remote(a, world.participant)
    frame = await refused.recv()
    assert (frame["code"], frame["details"]) == ("rate_limited", {"max_sockets": 3})
    with pytest.raises(ConnectionClosed) as closed:
        await refused.recv()
    assert closed.value.rcvd.code == 4429

    b.kill()  # its two sockets never close: its count lapses with its heartbeat
    await asyncio.sleep(2.5)
    back = [await connect_remote(a, world.participant) for _ in range(2)]
    for tab in back:
        assert (await tab.subscribe(f"user:{world.participant.pk}"))["op"] == "subscribed"
    for tab in (tabs[0], *back):
        await tab.close()
