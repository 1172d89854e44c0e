"""Sockets closed by the server's stop leave presence quietly.

At a server's stop, every socket's cleanup waits for its departure to be written to Redis
while the hub stops the writer: the departures waiting then raised CancelledError out of
the sockets (a traceback per socket in the server's log, 300 at the end of the forum bench),
or waited forever when the writer was stopped before it ran.
"""

import asyncio
from types import SimpleNamespace

import pytest

from realtime.connection import Connection
from realtime.presence import Presence, Stopped
from realtime.stores import async_client, close_loop_clients
from tests.services import require_redis


async def ignore(*args) -> None:
    return None


def socket_of(user_id: int) -> Connection:
    user = SimpleNamespace(pk=user_id)
    return Connection(
        id=f"test.{user_id}", user=user, name=f"P{user_id}", send=ignore, close=ignore
    )


@pytest.fixture
async def presence(settings):
    require_redis()
    settings.REDIS_PREFIX = f"{settings.REDIS_PREFIX}-presence-stop"
    present = Presence(async_client())
    await present.start()
    yield present
    await present.stop()
    await close_loop_clients()


@pytest.mark.parametrize("writer_started", [True, False])
async def test_departures_waiting_when_the_server_stops_return_quietly(presence, writer_started):
    sockets = [socket_of(n) for n in range(1, 31)]
    for conn in sockets:
        await presence.add(conn, "forum:1")
    leaving = [asyncio.create_task(presence.remove(conn, "forum:1")) for conn in sockets]
    await asyncio.sleep(0)  # the departures are queued, their writer not started yet
    while writer_started and presence.waiting:
        await asyncio.sleep(0)  # the writer has taken them and waits for Redis
    await presence.stop()
    results = await asyncio.wait_for(asyncio.gather(*leaving, return_exceptions=True), 5)
    assert results == [None] * len(sockets)


async def test_an_arrival_waiting_when_the_server_stops_is_refused(presence):
    arriving = asyncio.create_task(presence.add(socket_of(1), "forum:1"))
    await asyncio.sleep(0)
    await presence.stop()
    with pytest.raises(Stopped):
        await asyncio.wait_for(arriving, 5)
