"""Redis vanishing under a real server process: writes still commit and answer, `/health`
names what is down, a socket that was following gets what it missed from the outbox once
Redis is back, and a server started without Redis says so and serves."""

import asyncio
import json
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from channels.db import database_sync_to_async

from classrooms import services as classrooms
from messaging.models import Message
from parcours.models import ApiToken, Profile
from tests.realtime.support import connect_remote
from tests.services import _missing, free_port

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


class OwnRedis:
    """A Redis of this test's own, on a spare port, that the test stops and starts again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    if not shutil.which("redis-server"):
        _missing("redis-server")
    server = OwnRedis()
    try:
        server.start()
        yield server
    finally:
        server.stop()


def call(server, method: str, path: str, token: str | None = None, body=None):
    """(status, parsed JSON or text) of one request to a server process."""
    request = urllib.request.Request(
        f"{server.url}{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"}
        | ({"Authorization": f"Bearer {token}"} if token else {}),
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw, kind = response.status, response.read(), response.headers["content-type"]
    except urllib.error.HTTPError as error:
        status, raw, kind = error.code, error.read(), error.headers["content-type"]
    if not raw:
        return status, None
    return status, json.loads(raw) if "json" in (kind or "") else raw.decode()


def write_to(server, token: str, world, body: str):
    return call(
        server,
        "POST",
        "/api/v1/messages",
        token,
        {"session_id": world.session.pk, "recipient_ids": [world.participant.pk], "body": body},
    )


def test_writes_commit_and_answer_while_redis_is_down_and_health_says_so(world, daphne, own_redis):
    server = daphne(REDIS_URL=own_redis.url)
    token = ApiToken.issue(world.trainer)
    assert call(server, "GET", "/health") == (
        200,
        {"status": "ok", "services": {"database": "ok", "redis": "ok"}, "down": []},
    )

    room = classrooms.create_room(scope=world.session.scope, actor=world.trainer, title="Classe")

    own_redis.stop()
    Profile.objects.filter(user=world.trainer).update(last_visit=None)
    status, sent = write_to(server, token, world, "Redis est tombé")
    assert status == 201, sent
    assert list(Message.objects.values_list("body", flat=True)) == ["Redis est tombé"]
    # A change that is routed to the class's media worker after its commit.
    status, _ = call(
        server, "PATCH", f"/api/v1/classrooms/{room.pk}", token, {"cameras_locked": True}
    )
    assert status == 200
    room.refresh_from_db()
    assert room.cameras_locked
    # The visit date is still kept, without the cache.
    assert Profile.objects.get(user=world.trainer).last_visit is not None
    assert call(server, "GET", "/health") == (
        503,
        {"status": "degraded", "services": {"database": "ok", "redis": "down"}, "down": ["redis"]},
    )
    assert call(server, "GET", "/api/v1/me", token)[0] == 200

    own_redis.start()
    assert call(server, "GET", "/health")[0] == 200
    assert write_to(server, token, world, "Redis est revenu")[0] == 201
    assert Message.objects.count() == 2


async def test_a_follower_gets_what_was_committed_while_redis_was_away(world, daphne, own_redis):
    server = await database_sync_to_async(daphne)(REDIS_URL=own_redis.url)
    token = await database_sync_to_async(ApiToken.issue)(world.trainer)
    reader = await connect_remote(server, world.participant)
    try:
        await reader.subscribe(f"user:{world.participant.pk}")
        await asyncio.to_thread(own_redis.stop)
        status, _ = await asyncio.to_thread(write_to, server, token, world, "pendant la panne")
        assert status == 201
        await asyncio.to_thread(own_redis.start)
        [event] = await reader.events(1)
        assert event["data"]["body"] == "pendant la panne"
        # And the live path works again.
        await asyncio.to_thread(write_to, server, token, world, "après")
        [event] = await reader.events(1)
        assert event["data"]["body"] == "après"
    finally:
        await reader.close()


async def test_a_socket_opened_while_redis_is_down_is_answered_then_works_once_it_is_back(
    world, daphne, own_redis
):
    server = await database_sync_to_async(daphne)(REDIS_URL=own_redis.url)
    await asyncio.to_thread(own_redis.stop)
    from websockets.exceptions import ConnectionClosed

    try:
        client = await connect_remote(server, world.participant)
        # Accepted: a subscription is refused with an error frame, or accepted.
        answer = await client.op("subscribe", topic=f"user:{world.participant.pk}")
        assert answer["op"] in {"subscribed", "error"}
        if answer["op"] == "error":
            assert answer["code"] == "unavailable"
        await client.close()
    except ConnectionClosed as closed:  # or closed with a code that says why
        assert closed.rcvd is not None and closed.rcvd.code == 1013
    except Exception as exc:
        raise AssertionError(server.log()[-3000:]) from exc
    await asyncio.to_thread(own_redis.start)
    client = await connect_remote(server, world.participant)
    try:
        answer = await client.op("subscribe", topic=f"user:{world.participant.pk}")
        assert answer["op"] == "subscribed"
    finally:
        await client.close()


def test_a_server_started_without_its_redis_warns_and_serves(world, daphne, own_redis):
    own_redis.stop()
    server = daphne(REDIS_URL=own_redis.url)
    assert "Redis unreachable at startup" in server.log()
    token = ApiToken.issue(world.trainer)
    assert write_to(server, token, world, "sans Redis")[0] == 201
    assert call(server, "GET", "/health")[0] == 503


async def test_a_member_removed_while_redis_was_away_gets_nothing_written_after(
    world, daphne, own_redis
):
    """The access change could not be broadcast: the sockets are asked again when the bus
    returns, before anything committed meanwhile reaches them."""
    from tests.forums.conftest import make_board

    board = await database_sync_to_async(make_board)(world)
    server = await database_sync_to_async(daphne)(REDIS_URL=own_redis.url)
    token = await database_sync_to_async(ApiToken.issue)(world.trainer)
    topic = f"discussion:{board.discussion.pk}"
    removed = await connect_remote(server, world.participant)
    stays = await connect_remote(server, world.other_participant)
    try:
        for client in (removed, stays):
            assert (await client.subscribe(topic))["op"] == "subscribed"
        await asyncio.to_thread(own_redis.stop)
        path = f"/api/v1/sessions/{world.session.pk}/members/{world.participant.pk}"
        status, _ = await asyncio.to_thread(call, server, "DELETE", path, token)
        assert status == 204
        post = f"/api/v1/discussions/{board.discussion.pk}/posts"
        body = {"body": "Écrit pendant la panne"}
        status, written = await asyncio.to_thread(call, server, "POST", post, token, body)
        assert status == 201
        await asyncio.to_thread(own_redis.start)

        [event] = await stays.events(1, topic)
        assert event["data"]["post_id"] == written["id"]
        try:
            ended = await removed.until(
                lambda f: f.get("op") == "error" and f.get("topic") == topic, 20
            )
        except TimeoutError as exc:
            raise AssertionError(server.log()[-4000:] + repr(removed.backlog)) from exc
        assert ended["code"] in {"forbidden", "not_found"}
        with pytest.raises(TimeoutError):  # and nothing after
            await removed.recv(timeout=1.0)
        seen = [f for f in removed.backlog if f.get("topic") == topic and "seq" in f]
        assert not seen
    finally:
        await removed.close()
        await stays.close()
