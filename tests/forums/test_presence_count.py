"""Who reads a forum discussion now: a count, never names nor ids (a trainer must not watch a
participant arrive); a live class keeps its names."""

import json

import pytest
from channels.db import database_sync_to_async

from tests.forums.conftest import make_board
from tests.realtime.support import connect

pytestmark = [pytest.mark.django_db(transaction=True)]


def presence(frame: dict) -> bool:
    return frame.get("type", "").startswith("presence.")


async def test_a_discussion_shows_how_many_read_it_never_who(world):
    board = await database_sync_to_async(make_board)(world)
    topic = f"discussion:{board.discussion.pk}"
    trainer, _ = await connect(world.trainer)
    await trainer.subscribe(topic, presence=True)
    first = await trainer.until(presence)
    assert (first["type"], first["data"]) == ("presence.count", {"count": 1})

    participant, _ = await connect(world.participant)
    await participant.subscribe(topic, presence=True)
    arrived = await trainer.until(lambda f: presence(f) and f["data"].get("count") == 2)
    assert arrived["type"] == "presence.count"
    assert (await participant.until(presence))["data"] == {"count": 2}

    # A second tab of the same person is not a second reader.
    tab, _ = await connect(world.participant)
    await tab.subscribe(topic)
    await tab.close()
    await participant.close()
    left = await trainer.until(lambda f: presence(f) and f["data"].get("count") == 1)
    seen = [*trainer.backlog, first, arrived, left]
    assert {f["type"] for f in seen if presence(f)} == {"presence.count"}
    text = json.dumps(seen, ensure_ascii=False)
    assert "Participant Test" not in text and "user_id" not in text
    await trainer.close()


async def test_a_live_class_still_lists_who_is_in_it(world):
    from classrooms import services

    room = await database_sync_to_async(services.create_room)(
        scope=world.session.scope, actor=world.trainer, title="Classe"
    )
    alice, _ = await connect(world.participant)
    await alice.subscribe(f"classroom:{room.pk}", presence=True)
    state = await alice.until(presence)
    assert state["type"] == "presence.state"
    assert [u["name"] for u in state["data"]["users"]] == ["Participant Test"]
    await alice.close()


@pytest.mark.slow
async def test_the_count_adds_up_readers_on_two_processes(world, daphne):
    """With Redis, each process counts everyone on the topic, wherever they are."""
    from tests.realtime.support import connect_remote
    from tests.services import require_redis

    require_redis()
    board = await database_sync_to_async(make_board)(world)
    a = await database_sync_to_async(daphne)()
    b = await database_sync_to_async(daphne)()
    topic = f"discussion:{board.discussion.pk}"
    trainer = await connect_remote(a, world.trainer)
    participant = await connect_remote(b, world.participant)
    try:
        await trainer.subscribe(topic, presence=True)
        assert (await trainer.until(presence))["data"] == {"count": 1}
        await participant.subscribe(topic, presence=True)
        assert (await participant.until(presence))["data"] == {"count": 2}
        two = await trainer.until(lambda f: presence(f) and f["data"].get("count") == 2)
        assert two["type"] == "presence.count"
        await participant.close()
        await trainer.until(lambda f: presence(f) and f["data"].get("count") == 1)
    finally:
        await trainer.close()
