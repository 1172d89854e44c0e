"""Several daphne processes on Redis: shared topics, moving clients, a process killed."""

import asyncio
import json
import threading
import time
import urllib.request

import pytest
from channels.db import database_sync_to_async
from django.db import close_old_connections

from messaging import services as messaging
from parcours.models import ApiToken
from tests.realtime.support import ROOM_APPLICATION, connect_remote
from tests.services import require_redis

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def servers(daphne):
    require_redis()
    return daphne(), daphne()


def post_message(server, sender, recipient, body: str) -> dict:
    """Send a direct message through a server process's HTTP API."""
    token = ApiToken.issue(sender)
    request = urllib.request.Request(
        f"{server.url}/api/v1/messages",
        data=json.dumps(
            {
                "session_id": recipient.memberships.first().session_id,
                "recipient_ids": [recipient.pk],
                "body": body,
            }
        ).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def bodies(frames: list[dict]) -> list[str]:
    return [f["data"]["body"] for f in frames]


async def test_a_client_on_one_process_receives_what_was_sent_through_the_other(world, servers):
    a, b = servers
    reader = await connect_remote(a, world.participant)
    writer = await connect_remote(b, world.trainer)
    await reader.subscribe(f"user:{world.participant.pk}")
    await writer.subscribe(f"user:{world.trainer.pk}")

    await database_sync_to_async(post_message)(b, world.trainer, world.participant, "via B")
    assert bodies(await reader.events(1)) == ["via B"]
    assert bodies(await writer.events(1)) == ["via B"]
    await reader.close()
    await writer.close()


async def test_a_client_moving_from_one_process_to_the_other_misses_nothing(world, servers):
    a, b = servers
    topic = f"user:{world.participant.pk}"
    client = await connect_remote(a, world.participant)
    await client.subscribe(topic)
    for n in (1, 2):
        await database_sync_to_async(post_message)(a, world.trainer, world.participant, f"m{n}")
    seen = await client.events(2)
    await client.close()
    for n in (3, 4):
        await database_sync_to_async(post_message)(a, world.trainer, world.participant, f"m{n}")

    moved = await connect_remote(b, world.participant)
    await moved.subscribe(topic, since=seen[-1]["seq"])
    await database_sync_to_async(post_message)(a, world.trainer, world.participant, "m5")
    resumed = await moved.events(3)
    assert bodies(resumed) == ["m3", "m4", "m5"]
    assert [f["seq"] for f in seen + resumed] == [1, 2, 3, 4, 5]
    await moved.close()


async def test_killing_a_process_mid_stream_loses_and_repeats_nothing(world, servers):
    a, b = servers
    total = 150
    topic = f"user:{world.participant.pk}"

    def stream() -> None:
        for n in range(1, total + 1):
            messaging.send_message(
                sender=world.trainer,
                session=world.session,
                recipient_ids=[world.participant.pk],
                body=f"m{n}",
            )
            time.sleep(0.01)
        close_old_connections()

    client = await connect_remote(a, world.participant)
    await client.subscribe(topic)
    publisher = threading.Thread(target=stream)
    publisher.start()
    received = await client.events(30)
    a.kill()
    try:
        while True:
            frame = await client.recv(timeout=2)
            if "op" not in frame:
                received.append(frame)
    except Exception:  # the socket dies with its process
        pass

    resumed = await connect_remote(b, world.participant)
    await resumed.subscribe(topic, since=received[-1]["seq"])
    while received[-1]["seq"] < total:
        received += await resumed.events(1)
    await asyncio.to_thread(publisher.join)
    assert [f["seq"] for f in received] == list(range(1, total + 1))
    assert bodies(received) == [f"m{n}" for n in range(1, total + 1)]
    await resumed.close()


async def test_the_users_of_a_killed_process_leave_presence_within_seconds(world, daphne):
    require_redis()
    # Servers that also know the test kind `room:<session id>`, whose topics list presence.
    a, b = (daphne(application=ROOM_APPLICATION, REALTIME_PRESENCE_TTL="2") for _ in "ab")
    topic = f"room:{world.session.pk}"
    doomed = await connect_remote(a, world.participant)
    await doomed.subscribe(topic)
    watcher = await connect_remote(b, world.trainer)
    await watcher.subscribe(topic, presence=True)
    state = await watcher.until(lambda f: f.get("type") == "presence.state")
    assert world.participant.pk in [u["user_id"] for u in state["data"]["users"]]

    a.kill()
    started = time.monotonic()
    left = await watcher.until(
        lambda f: (
            f.get("type") == "presence.leave" and f["data"]["user_id"] == world.participant.pk
        ),
        timeout=10,
    )
    assert left and time.monotonic() - started < 10
    await watcher.close()


async def test_a_process_stopped_with_sigterm_stops_its_hub_cleanly(world, daphne):
    require_redis()
    server = daphne(application=ROOM_APPLICATION)
    client = await connect_remote(server, world.participant)
    await client.subscribe(f"room:{world.session.pk}", presence=True)
    await client.until(lambda f: f.get("type") == "presence.state")

    await asyncio.to_thread(server.stop)
    assert server.process.returncode == 0  # not killed after the timeout
    log = server.log()
    assert "stopping its hub" in log, log
    assert "Task was destroyed" not in log, log
    assert "Unclosed" not in log and "Traceback" not in log, log
