"""The socket's own loop: what the process does elsewhere does not hold its frames back."""

import asyncio
import threading

import pytest
from asgiref.sync import sync_to_async

from tests.realtime.support import connect

pytestmark = [pytest.mark.django_db(transaction=True)]


async def test_frames_are_answered_and_relayed_while_the_process_sync_thread_is_busy(world):
    """A slow synchronous call elsewhere in the process (a page, a signal handler) holds the
    one thread that `sync_to_async` calls share; no socket's frame may wait for it."""
    studio = f"studio:{world.session.pk}"
    alice, _ = await connect(world.participant)
    bob, _ = await connect(world.trainer)
    for client in (alice, bob):
        assert (await client.subscribe(studio))["op"] == "subscribed"
    release = threading.Event()
    busy = asyncio.ensure_future(sync_to_async(release.wait, thread_sensitive=True)(10))
    try:
        answer = await alice.op("send", 3, topic=studio, type="cursor.move", data={"x": 1})
        assert (answer["op"], answer["seq"]) == ("ack", None)
        frame = await bob.until(lambda f: f.get("type") == "cursor.move", timeout=3)
        assert frame["data"] == {"x": 1}
    finally:
        release.set()
        await busy
    for client in (alice, bob):
        await client.close()
