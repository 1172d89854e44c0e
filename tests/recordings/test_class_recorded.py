"""A real class recorded through a real server: an aiortc trainer and two aiortc participants
hold a class in a server process, the trainer records about five seconds over the API, and
the stored file plays: an audio and a video stream of the recorded length, the speakers'
tones, pictures that are not blank. Twice: with the embedded default (the SFU and its
recorder on the server's media loop) and with Redis, where the class is pinned to a
`classroom_worker` process and the recorder runs there."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from channels.db import database_sync_to_async
from django.conf import settings

from classrooms import services as classrooms
from parcours.models import ApiToken
from recordings.models import Recording
from tests.classrooms.gateway_peers import gateway_peer
from tests.classrooms.peers import wait_for
from tests.classrooms.test_workers import WorkerProcess
from tests.realtime.support import connect_remote
from tests.recordings.media import RATE, non_blank, read_recording, tone_energy
from tests.services import require_redis

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(180),
    pytest.mark.django_db(transaction=True),
]

RECORD_SECONDS = 5.0


def call(server, user, method: str, path: str) -> dict:
    """The server's API, as the trainer's page calls it (a bearer token here)."""
    request = urllib.request.Request(
        f"{server.url}/api/v1{path}",
        method=method,
        headers={"Authorization": f"Bearer {ApiToken.issue(user)}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


async def settled(recording_id: int, timeout: float = 40.0) -> Recording:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        recording = await Recording.objects.aget(pk=recording_id)
        if recording.state != Recording.State.RECORDING:
            return recording
        await asyncio.sleep(0.2)
    raise AssertionError("the segment was never finished")


@pytest.fixture(params=["embedded", "worker"])
def where(request, media_dirs):
    """Where the class's media runs; with "worker", the worker process that hosts it."""
    if request.param == "embedded":
        yield {"CLASSROOM_MEDIA_EMBEDDED": "1", "REDIS_URL": ""}
        return
    require_redis()
    worker = WorkerProcess(**storage_env(media_dirs))
    try:
        yield {"CLASSROOM_MEDIA_EMBEDDED": "0", "REDIS_URL": settings.REDIS_URL}
    finally:
        worker.stop()


def storage_env(media_dirs) -> dict[str, str]:
    return {"MEDIA_ROOT": str(media_dirs["stored"]), "RECORDINGS_SPOOL": str(media_dirs["spool"])}


async def test_a_class_of_three_is_recorded_through_the_server_and_plays(
    world, daphne, media_dirs, where
):
    server = daphne(**where, **storage_env(media_dirs))
    room = await database_sync_to_async(
        lambda: classrooms.create_room(
            scope=world.session.scope, actor=world.trainer, title="Classe du jeudi"
        )
    )()
    await database_sync_to_async(classrooms.start_class)(room=room, actor=world.trainer)
    people = [
        (world.trainer, 60, 440.0),
        (world.participant, 140, 660.0),
        (world.other_participant, 200, 880.0),
    ]
    peers, notices = [], []
    try:
        for user, luma, tone in people:
            client = await connect_remote(server, user)
            peer = gateway_peer(client, room.pk, video=(320, 180, luma), tone=tone, stamp=True)
            peers.append(peer)
            await peer.join()
        trainer = peers[0]
        # Everyone hears and sees the others through the server before recording begins.
        await wait_for(
            lambda: all(
                (found := peer.from_user(user.pk, source)) is not None and found.frames > 5
                for peer, (me, _l, _t) in zip(peers, people, strict=True)
                for user, _luma, _tone in people
                if user != me
                for source in ("camera", "mic")
            ),
            timeout=60,
        )
        # The participants' pages follow the room on sockets of their own.
        for user in (world.participant, world.other_participant):
            watcher = await connect_remote(server, user)
            assert (await watcher.subscribe(room.topic))["op"] == "subscribed"
            notices.append(watcher)

        started = await database_sync_to_async(call)(
            server, world.trainer, "POST", f"/classrooms/{room.pk}/recordings"
        )
        assert started["state"] == "recording"
        for client in notices:
            seen = await client.until(lambda f: f.get("type") == "recording.started", timeout=10)
            assert seen["data"]["recording_id"] == started["id"]
        began = time.monotonic()
        await asyncio.sleep(RECORD_SECONDS)
        await database_sync_to_async(call)(
            server, world.trainer, "POST", f"/recordings/{started['id']}/stop"
        )
        asked_at = time.monotonic() - began
        for client in notices:
            seen = await client.until(lambda f: f.get("type") == "recording.stopped", timeout=30)
            assert seen["data"]["state"] == "ready"
        recording = await settled(started["id"])
        assert trainer.from_user(world.participant.pk).frames > 0
    finally:
        for peer in peers:
            await peer.close()
            await peer.signalling.close()
        for watcher in notices:
            await watcher.close()

    assert recording.state == Recording.State.READY, recording.note
    path = Path(media_dirs["stored"]) / recording.file.name
    seen = read_recording(path)
    assert seen["kinds"] == ["audio", "video"]
    assert abs(seen["seconds"] - asked_at) <= 1.0, (seen["seconds"], asked_at)
    assert abs(seen["audio_seconds"] - asked_at) <= 1.0
    assert abs(len(seen["pictures"]) / 15 - asked_at) <= 1.0
    # Every speaker is in the mix (their tones far above a frequency nobody sent).
    heard = {hz: tone_energy(seen["sound"][RATE:], hz) for hz in (440, 660, 770, 880)}
    for hz in (440, 660, 880):
        assert heard[hz] > 10 * heard[770], heard
    # Past the first second the picture is someone's camera: not black, not flat.
    later = seen["pictures"][15:]
    assert later and all(non_blank(p) for p in later)
    assert min(float(np.mean(p)) for p in later) > 30
