"""A member removed from a session, or a session closed, stops receiving at once."""

import pytest
from channels.db import database_sync_to_async

from parcours import services
from realtime import publish
from tests.realtime.support import Said, connect

pytestmark = [pytest.mark.django_db(transaction=True)]


async def test_a_removed_member_stops_receiving_the_sessions_topics(world, room):
    removed, _ = await connect(world.participant)
    staying, _ = await connect(world.other_participant)
    await removed.subscribe(room)
    await removed.subscribe(f"user:{world.participant.pk}")
    await staying.subscribe(room)

    def remove_then_post() -> None:
        services.remove_member(
            session=world.session, actor=world.trainer, user_id=world.participant.pk
        )
        publish(room, Said(body="après le retrait", author_id=world.trainer.pk))

    await database_sync_to_async(remove_then_post)()
    notice = await removed.recv()
    assert (notice["op"], notice["code"], notice["topic"]) == ("error", "forbidden", room)
    assert await removed.nothing()
    assert [f["data"]["body"] for f in await staying.events(1)] == ["après le retrait"]

    await database_sync_to_async(publish)(
        f"user:{world.participant.pk}", Said(body="toujours à moi", author_id=1)
    )
    assert (await removed.events(1))[0]["data"]["body"] == "toujours à moi"
    await removed.close()
    await staying.close()


async def test_closing_content_after_the_end_stops_participants_not_trainers(world, room):
    def end_session() -> None:
        world.session.state = "closed"
        world.session.save(update_fields=["state"])

    participant, _ = await connect(world.participant)
    trainer, _ = await connect(world.trainer)
    await participant.subscribe(room)
    await trainer.subscribe(room)
    await database_sync_to_async(end_session)()
    await database_sync_to_async(services.set_content_open_after_end)(
        session=world.session, actor=world.trainer, open_after_end=False
    )
    assert (await participant.recv())["code"] == "frozen"
    await database_sync_to_async(publish)(room, Said(body="bilan", author_id=1))
    assert await participant.nothing()
    assert (await trainer.events(1))[0]["data"]["body"] == "bilan"
    await participant.close()
    await trainer.close()
