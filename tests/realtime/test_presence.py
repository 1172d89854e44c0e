"""Presence: who is on a topic right now, with join and leave, in one process."""

import pytest

from tests.realtime.support import connect

pytestmark = [pytest.mark.django_db(transaction=True)]


def presence(frame: dict) -> bool:
    return frame.get("type", "").startswith("presence.")


def others(me):
    """Presence frames about someone else (a watcher may also see its own arrival)."""
    return lambda frame: presence(frame) and frame["data"].get("user_id") != me.pk


async def drain(client) -> list[dict]:
    frames = []
    while not await client.nothing():
        frames.append(await client.recv())
    return frames


async def test_watchers_see_who_is_here_and_who_comes_and_goes(world, room):
    alice, _ = await connect(world.participant)
    await alice.subscribe(room, presence=True)
    state = await alice.until(presence)
    assert state["type"] == "presence.state"
    assert [u["name"] for u in state["data"]["users"]] == ["Participant Test"]

    bob, _ = await connect(world.trainer)
    await bob.subscribe(room)
    joined = await alice.until(others(world.participant))
    assert (joined["type"], joined["data"]["user_id"]) == ("presence.join", world.trainer.pk)

    await bob.close()
    left = await alice.until(others(world.participant))
    assert (left["type"], left["data"]) == ("presence.leave", {"user_id": world.trainer.pk})
    await alice.close()


async def test_a_second_tab_of_the_same_person_is_not_a_second_arrival(world, room):
    alice, _ = await connect(world.participant)
    await alice.subscribe(room, presence=True)
    await alice.until(presence)
    tab1, _ = await connect(world.trainer)
    tab2, _ = await connect(world.trainer)
    await tab1.subscribe(room)
    await tab2.subscribe(room)
    assert (await alice.until(others(world.participant)))["type"] == "presence.join"
    await tab1.close()
    assert not [f for f in await drain(alice) if others(world.participant)(f)]
    await tab2.close()
    assert (await alice.until(others(world.participant)))["type"] == "presence.leave"
    await alice.close()


async def test_subscribers_who_do_not_watch_presence_get_no_presence_frames(world, room):
    alice, _ = await connect(world.participant)
    await alice.subscribe(room)
    bob, _ = await connect(world.trainer)
    await bob.subscribe(room)
    assert not [f for f in await drain(alice) if presence(f)]
    await alice.close()
    await bob.close()
