"""Presence on Redis for a crowd arriving at once on two processes."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from tests import factories
from tests.realtime.support import ROOM_APPLICATION, connect_remote
from tests.services import require_redis

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
CROWD = 300


def members(session, count: int) -> list:
    return [factories.member(session).user for _ in range(count)]


async def watch_until_complete(client, topic: str, everyone: set[int]) -> set[int]:
    """Follow the presence frames until `everyone` is listed; fail on any error frame."""
    # What is checked is that everyone sees everyone, not how fast a crowd is admitted.
    reply = await client.subscribe(topic, timeout=60, presence=True)
    assert reply["op"] == "subscribed", reply
    here: set[int] = set()
    while here != everyone:
        frame = await client.recv(timeout=30)
        assert frame.get("op") != "error", frame
        kind, data = frame.get("type"), frame.get("data", {})
        if kind == "presence.state":
            here = {user["user_id"] for user in data["users"]}
        elif kind == "presence.join":
            here.add(data["user_id"])
        elif kind == "presence.leave":
            here.discard(data["user_id"])
    return here


async def test_a_crowd_subscribing_at_once_all_see_everyone_present(world, daphne, settings):
    require_redis()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    servers = [daphne(application=ROOM_APPLICATION) for _ in "ab"]
    crowd = await database_sync_to_async(members)(world.session, CROWD)
    clients = []
    for start in range(0, CROWD, 20):  # connecting is not what is measured: a few at a time
        group = enumerate(crowd[start : start + 20], start)
        clients += await asyncio.gather(*(connect_remote(servers[n % 2], u) for n, u in group))
    topic = f"room:{world.session.pk}"
    everyone = {user.pk for user in crowd}

    seen = await asyncio.gather(*(watch_until_complete(c, topic, everyone) for c in clients))

    assert all(here == everyone for here in seen)
    await asyncio.gather(*(client.close() for client in clients))
    for server in servers:
        assert "Too many connections" not in server.log()
