"""Access withdrawn reaches open sockets: a member removed, a session closed, a grant
expired, a session ending; and only the sockets the change concerns are asked again."""

import asyncio
from collections import Counter
from datetime import datetime, time, timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from parcours import policies, services
from parcours.grants import Action
from parcours.models import AccessGrant, Session
from realtime import publish
from realtime.topics import register_topic
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


async def test_an_access_grant_ends_the_administrators_subscription_when_it_expires(world, room):
    """No notice is sent when time passes: the socket is asked again at the expiry instant."""

    def expire_soon() -> None:
        AccessGrant.objects.filter(grantee=world.admin_granted).update(
            expires_at=timezone.now() + timedelta(seconds=1.5)
        )

    await database_sync_to_async(expire_soon)()
    admin, _ = await connect(world.admin_granted)
    member, _ = await connect(world.participant)
    await admin.subscribe(room)
    await member.subscribe(room)
    await database_sync_to_async(publish)(room, Said(body="avant", author_id=1))
    assert (await admin.events(1))[0]["data"]["body"] == "avant"

    notice = await admin.recv(timeout=4)
    assert (notice["op"], notice["code"], notice["topic"]) == ("error", "forbidden", room)
    await database_sync_to_async(publish)(room, Said(body="après", author_id=1))
    assert [f["data"]["body"] for f in await member.events(2)] == ["avant", "après"]
    assert await admin.nothing()
    # As HTTP says, the administrator may no longer follow the session.
    assert (await admin.subscribe(room))["code"] == "forbidden"
    await admin.close()
    await member.close()


async def test_a_session_ending_with_its_content_closed_drops_participants_at_midnight(
    world, room, monkeypatch
):
    """The session ends at midnight after its last day: nobody writes anything then."""

    def last_day_with_content_closed() -> None:
        world.session.ends_on = timezone.localdate()
        world.session.content_open_after_end = False
        world.session.save(update_fields=["ends_on", "content_open_after_end"])

    await database_sync_to_async(last_day_with_content_closed)()
    real_now = timezone.now
    midnight = timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=1), time.min)
    )
    shift = midnight - real_now() - timedelta(seconds=1.5)
    monkeypatch.setattr(timezone, "now", lambda: real_now() + shift)  # 1.5 s before midnight

    participant, _ = await connect(world.participant)
    trainer, _ = await connect(world.trainer)
    await participant.subscribe(room)
    await trainer.subscribe(room)

    notice = await participant.recv(timeout=4)
    assert (notice["op"], notice["code"], notice["topic"]) == ("error", "frozen", room)
    await database_sync_to_async(publish)(room, Said(body="bilan", author_id=1))
    assert (await trainer.events(1))[0]["data"]["body"] == "bilan"
    assert await participant.nothing()
    await participant.close()
    await trainer.close()


_asked: Counter = Counter()


def _counted_authorize(user, object_id: int):
    _asked[object_id] += 1
    return policies.decide(user, Action.READ_CONTRIBUTIONS, Session.objects.get(pk=object_id))


register_topic("counted", authorize=_counted_authorize, presence=False)


async def test_a_sessions_access_change_asks_again_only_about_that_sessions_topics(world):
    """Closing one session's content re-checks its subscriptions, on every socket holding
    them, and leaves the other sessions' sockets alone."""
    _asked.clear()
    here, _ = await connect(world.trainer)
    elsewhere, _ = await connect(world.outsider)
    both, _ = await connect(world.participant)
    await here.subscribe(f"counted:{world.session.pk}")
    await elsewhere.subscribe(f"counted:{world.other_session.pk}")
    await both.subscribe(f"user:{world.participant.pk}")
    await both.subscribe(f"counted:{world.session.pk}")
    assert _asked == {world.session.pk: 2, world.other_session.pk: 1}

    await database_sync_to_async(services.set_content_open_after_end)(
        session=world.session, actor=world.trainer, open_after_end=False
    )
    async with asyncio.timeout(5):
        while _asked[world.session.pk] < 4:
            await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)
    assert _asked == {world.session.pk: 4, world.other_session.pk: 1}
    for client in (here, elsewhere, both):
        await client.close()
