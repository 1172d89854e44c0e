"""A class held through the gateway: aiortc peers signal on `classroom:<id>` like the page,
the SFU runs on its own event loop in this process (the embedded default), and the
moderator's actions, taken over the API, act on the media itself."""

from __future__ import annotations

import asyncio
import time

import pytest
from channels.db import database_sync_to_async

from classrooms import activities, live, services
from tests.classrooms.gateway_peers import gateway_peer
from tests.classrooms.peers import wait_for
from tests.realtime.support import connect

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(90),
    pytest.mark.django_db(transaction=True),
]

SETTLE = 1.0


@pytest.fixture(autouse=True)
def embedded_media(settings):
    settings.CLASSROOM_MEDIA_EMBEDDED = True
    yield
    host = live._embedded
    if host is not None:
        host.call(host.host.close())


@pytest.fixture
def room(world):
    return services.create_room(scope=world.session.scope, actor=world.trainer, title="Classe")


class Class:
    def __init__(self, room) -> None:
        self.room = room
        self.peers = []

    async def join(self, user, **media):
        client, _ = await connect(user)
        peer = gateway_peer(client, self.room.pk, **media)
        self.peers.append(peer)
        await peer.join()
        return peer

    async def close(self) -> None:
        for peer in self.peers:
            await peer.close()
            await peer.signalling.close()


@pytest.fixture
async def held(room):
    lesson = Class(room)
    try:
        yield lesson
    finally:
        await lesson.close()


def receiving(peer, user, source="camera", frames=3) -> bool:
    found = peer.from_user(user.pk, source)
    return found is not None and found.frames >= frames


async def flowing(found, seconds: float = 0.6) -> int:
    start = time.monotonic()
    await asyncio.sleep(seconds)
    return found.since(start)


async def test_three_members_hold_a_class_through_the_gateway(world, held):
    trainer = await held.join(world.trainer, video=(160, 120, 40), tone=440)
    alice = await held.join(world.participant, video=(176, 144, 130), tone=660)
    bruno = await held.join(world.other_participant, video=(192, 144, 220))
    pairs = [
        (trainer, world.participant),
        (trainer, world.other_participant),
        (alice, world.trainer),
        (alice, world.other_participant),
        (bruno, world.trainer),
        (bruno, world.participant),
    ]
    await wait_for(lambda: all(receiving(p, u) for p, u in pairs), timeout=30)
    assert alice.from_user(world.trainer.pk).sizes == {(160, 120)}
    assert bruno.from_user(world.participant.pk).sizes == {(176, 144)}
    await wait_for(lambda: receiving(bruno, world.trainer, "mic", 10))
    assert bruno.from_user(world.trainer.pk, "mic").loudness > 3000

    # A tab that closes leaves the media: its tracks end for the others.
    await alice.signalling.client.close()
    await wait_for(
        lambda: all(
            p.from_user(world.participant.pk, s).ended
            for p in (trainer, bruno)
            for s in ("camera", "mic")
        ),
        timeout=15,
    )


async def test_moderation_acts_on_the_media_and_a_removed_person_cannot_rejoin(world, room, held):
    trainer = await held.join(world.trainer, tone=440)
    alice = await held.join(world.participant, video=(176, 144, 130), tone=660)
    await held.join(world.other_participant, tone=880)
    await wait_for(
        lambda: (
            receiving(trainer, world.participant, "mic", 10)
            and receiving(trainer, world.other_participant, "mic", 10)
        ),
        timeout=30,
    )

    await database_sync_to_async(services.mute)(
        room=room, actor=world.trainer, user_id=world.participant.pk
    )
    await asyncio.sleep(SETTLE)
    assert await flowing(trainer.from_user(world.participant.pk, "mic")) == 0
    assert await flowing(trainer.from_user(world.participant.pk)) > 0  # camera still on
    assert await flowing(trainer.from_user(world.other_participant.pk, "mic")) > 0

    await database_sync_to_async(services.mute_everyone)(room=room, actor=world.trainer)
    await asyncio.sleep(SETTLE)
    assert await flowing(trainer.from_user(world.other_participant.pk, "mic")) == 0
    assert await flowing(alice.from_user(world.trainer.pk, "mic")) > 0  # moderators speak

    await database_sync_to_async(services.remove)(
        room=room, actor=world.trainer, user_id=world.participant.pk
    )
    # Both of the removed person's tracks end (one renegotiation; each ends as it is read).
    await wait_for(
        lambda: (
            trainer.from_user(world.participant.pk).ended
            and trainer.from_user(world.participant.pk, "mic").ended
        ),
        timeout=15,
    )
    hosted = live.embedded().host.rooms[room.pk].media
    assert world.participant.pk not in {p.user_id for p in hosted.peers.values()}

    again, _ = await connect(world.participant)
    answer = await again.subscribe(f"classroom:{room.pk}")
    assert answer["op"] == "error" and answer["code"] == "forbidden"
    await again.close()


async def test_breakout_groups_hear_only_their_members_then_everyone(world, room, held):
    from tests import factories

    carla = await database_sync_to_async(factories.member)(world.session, username="carla")
    people = [world.participant, world.other_participant, carla.user, world.tutor]
    peers = {}
    for tone, user in zip((440, 550, 660, 770), people, strict=True):
        peers[user.pk] = await held.join(user, tone=tone)
    ids = list(peers)
    await wait_for(
        lambda: all(
            receiving(peers[a], b_user, "mic") for a in ids for b_user in people if b_user.pk != a
        ),
        timeout=40,
    )
    groups = [[ids[0], ids[1]], [ids[2]]]
    await database_sync_to_async(activities.start_breakouts)(
        room=room, actor=world.trainer, minutes=5, groups=groups
    )
    await database_sync_to_async(activities.visit)(room=room, actor=world.tutor, group=2)
    group_of = {ids[0]: 1, ids[1]: 1, ids[2]: 2, ids[3]: 2}
    await asyncio.sleep(SETTLE)
    moment = time.monotonic()
    await asyncio.sleep(0.8)
    heard = {
        (a, b): peers[a].from_user(b, "mic").since(moment) > 0 for a in ids for b in ids if a != b
    }
    assert heard == {pair: group_of[pair[0]] == group_of[pair[1]] for pair in heard}

    await database_sync_to_async(activities.end_breakouts)(room=room, actor=world.trainer)
    await wait_for(
        lambda: all(
            peers[a].from_user(b, "mic").since(time.monotonic() - 0.4) > 2
            for a in ids
            for b in ids
            if a != b
        )
    )


async def test_a_non_member_never_gets_media(world, room, held):
    await held.join(world.trainer, video=(160, 120, 40))
    client, _ = await connect(world.outsider)
    refused = await client.subscribe(f"classroom:{room.pk}")
    assert refused["code"] == "forbidden"
    await client.send(op="send", topic=f"classroom:{room.pk}", type="media.join", data={})
    answer = await client.recv()
    assert answer["op"] == "error"
    await client.close()
    hosted = live.embedded().host.rooms[room.pk].media
    assert {peer.user_id for peer in hosted.peers.values()} == {world.trainer.pk}
