"""The gateway's database threads give their connections back when their work ends.

A thread that kept its connection held a database session for good: on PostgreSQL a slot
of psycopg's pool that later requests waited for ("couldn't get a connection"), and a test
database that could not be dropped ("being accessed by other users"). It happened wherever
channels' own closing hook was off, as its test communicator turns it off."""

import asyncio
import threading

import pytest
from asgiref.sync import SyncToAsync
from django.db import connection

from realtime import conf, db
from tests.realtime.support import connect

pytestmark = [pytest.mark.django_db(transaction=True)]


async def _connections_held_by_gateway_threads() -> int:
    """How many of the pool's threads hold an open connection (one probe on each)."""
    size = conf.get("REALTIME_DB_THREADS")
    every_thread = threading.Barrier(size, timeout=10)

    def holds() -> bool:
        every_thread.wait()  # each probe waits for the others: one per thread
        return connection.connection is not None

    probe = SyncToAsync(holds, thread_sensitive=False, executor=db._executor())
    return sum(await asyncio.gather(*(probe() for _ in range(size))))


async def test_a_socket_that_came_and_went_leaves_no_connection_in_the_gateways_threads(
    world, room
):
    client, _ = await connect(world.participant)  # its token is checked in a gateway thread
    assert (await client.subscribe(room))["op"] == "subscribed"  # and its access
    assert (await client.subscribe(f"user:{world.participant.pk}"))["op"] == "subscribed"
    await client.close()
    assert await _connections_held_by_gateway_threads() == 0
