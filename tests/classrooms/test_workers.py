"""Classroom media in worker processes with Redis: a class pinned to one worker survives
that worker's death (kill -9) on another, with its hands and chat where they were."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import redis
from channels.db import database_sync_to_async
from django.conf import settings

from classrooms import selectors, services
from tests.classrooms.gateway_peers import gateway_peer
from tests.classrooms.peers import wait_for
from tests.realtime.support import connect_remote
from tests.servers import ROOT, server_env
from tests.services import require_redis

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(150),
    pytest.mark.django_db(transaction=True),
]


class WorkerProcess:
    """`manage.py classroom_worker` on the test database, its output in a log file."""

    def __init__(self, timeout: float = 90, **env: str) -> None:
        with tempfile.NamedTemporaryFile(prefix="preau-worker-", suffix=".log", delete=False) as f:
            self.log_path = f.name
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "classroom_worker"],
                cwd=ROOT,
                env=server_env(CLASSROOM_MEDIA_EMBEDDED="0", **env),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while "ready" not in self.log():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"worker did not start:\n{self.log()}")
            time.sleep(0.2)
        self.id = self.log().split("ready")[0].split()[-1]

    def log(self) -> str:
        return Path(self.log_path).read_text(errors="replace")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def workers():
    require_redis()
    started: list[WorkerProcess] = []
    try:
        started.extend([WorkerProcess(), WorkerProcess()])
        yield {worker.id: worker for worker in started}
    finally:
        for worker in started:
            worker.stop()


def _pinned(room_id: int) -> str | None:
    client = redis.Redis.from_url(settings.REDIS_URL, decode_responses=True)
    return client.get(f"{settings.REDIS_PREFIX}:cw:room:{room_id}")


async def test_a_worker_crash_moves_the_class_to_another_worker(world, daphne, workers):
    server = daphne(CLASSROOM_MEDIA_EMBEDDED="0", REDIS_URL=settings.REDIS_URL)
    room = await database_sync_to_async(
        lambda: services.create_room(scope=world.session.scope, actor=world.trainer, title="Classe")
    )()
    await database_sync_to_async(services.set_hand)(room=room, actor=world.participant, raised=True)
    await database_sync_to_async(services.post_chat)(
        room=room, actor=world.trainer, body="Bienvenue"
    )
    peers = []
    try:
        for user, luma in ((world.trainer, 40), (world.participant, 200)):
            peer = gateway_peer(await connect_remote(server, user), room.pk, video=(160, 120, luma))
            peers.append(peer)
            await peer.join()
        trainer, alice = peers
        await wait_for(
            lambda: (
                (t := trainer.from_user(world.participant.pk)) is not None
                and t.frames > 5
                and (a := alice.from_user(world.trainer.pk)) is not None
                and a.frames > 5
            ),
            timeout=40,
        )
        first = _pinned(room.pk)
        assert first in workers

        workers[first].kill()
        await wait_for(lambda: all(p.signalling.restarts for p in peers), timeout=30)
        await wait_for(
            lambda: (
                (t := trainer.from_user(world.participant.pk)) is not None
                and t.since(time.monotonic() - 1) > 5
                and (a := alice.from_user(world.trainer.pk)) is not None
                and a.since(time.monotonic() - 1) > 5
            ),
            timeout=40,
        )
        second = _pinned(room.pk)
        assert second in workers and second != first
        assert abs(trainer.from_user(world.participant.pk).luma - 200) < 20

        # The room's state was never in the worker.
        room = await database_sync_to_async(selectors.get_classroom)(room.pk)
        hands = await database_sync_to_async(selectors.hand_queue)(room)
        lines = await database_sync_to_async(selectors.chat_lines)(room)
        assert [h["user_id"] for h in hands] == [world.participant.pk]
        assert [line.body for line in lines] == ["Bienvenue"]
    finally:
        for peer in peers:
            await peer.close()
            await peer.signalling.close()
