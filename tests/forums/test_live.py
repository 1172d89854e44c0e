"""`forum:<id>` and `discussion:<id>` through the real gateway: who follows, what arrives,
and what a reconnecting page catches up on."""

import pytest
from channels.db import database_sync_to_async

from forums import moderation, services
from tests.forums.conftest import make_board
from tests.realtime.support import connect

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("standing", "allowed"),
    [
        ("participant", True),
        ("tutor", True),
        ("trainer", True),
        ("admin_granted", True),
        ("admin", False),
        ("inspector", False),
        ("designer", False),
        ("national", False),
        ("outsider", False),
    ],
)
async def test_following_forum_topics_follows_the_policies(world, standing, allowed):
    board = await database_sync_to_async(make_board)(world)
    client, _ = await connect(world.by_standing(standing))
    for topic in (f"forum:{board.forum.pk}", f"discussion:{board.discussion.pk}"):
        answer = await client.subscribe(topic)
        assert (answer["op"] == "subscribed") is allowed, answer
        if not allowed:
            assert answer["code"] == "forbidden"
    await client.close()


async def test_unknown_forums_and_discussions_are_not_found(world):
    client, _ = await connect(world.participant)
    for topic in ("forum:987654", "discussion:987654"):
        assert (await client.subscribe(topic))["code"] == "not_found"
    await client.close()


async def test_replies_likes_and_moderation_reach_an_open_page(world):
    board = await database_sync_to_async(make_board)(world)
    client, _ = await connect(world.other_participant)
    topic = f"discussion:{board.discussion.pk}"
    await client.subscribe(topic)
    post = await database_sync_to_async(services.reply)(
        discussion=board.discussion, author=world.tutor, body="En direct"
    )
    await database_sync_to_async(services.set_like)(
        post=board.reply, user=world.participant, liked=True
    )
    await database_sync_to_async(moderation.set_locked)(
        discussion=board.discussion, actor=world.trainer, locked=True
    )
    frames = await client.events(3, topic=topic)
    assert [f["type"] for f in frames] == [
        "forum.post_created",
        "forum.like_count",
        "forum.discussion_updated",
    ]
    assert frames[0]["data"]["post_id"] == post.pk
    assert frames[1]["data"] == {
        "discussion_id": board.discussion.pk,
        "post_id": board.reply.pk,
        "like_count": 1,
    }
    assert frames[2]["data"]["locked"] is True
    assert [f["seq"] for f in frames] == sorted(f["seq"] for f in frames)
    await client.close()


async def test_a_reconnecting_page_misses_nothing(world):
    board = await database_sync_to_async(make_board)(world)
    topic = f"discussion:{board.discussion.pk}"
    client, _ = await connect(world.participant)
    subscribed = await client.subscribe(topic)
    since = subscribed["seq"]
    await client.close()
    for text in ("Un", "Deux", "Trois"):
        await database_sync_to_async(services.reply)(
            discussion=board.discussion, author=world.tutor, body=text
        )
    again, _ = await connect(world.participant)
    await again.subscribe(topic, since=since)
    frames = await again.events(3, topic=topic)
    assert [f["seq"] for f in frames] == [since + 1, since + 2, since + 3]
    assert all(f["type"] == "forum.post_created" for f in frames)
    await again.close()


async def test_a_subscriber_is_notified_on_their_user_topic(world):
    board = await database_sync_to_async(make_board)(world)
    client, _ = await connect(world.participant)  # started the discussion: subscribed
    await client.subscribe(f"user:{world.participant.pk}")
    await database_sync_to_async(services.reply)(
        discussion=board.discussion, author=world.trainer, body="Pour vous"
    )
    (frame,) = await client.events(1, topic=f"user:{world.participant.pk}")
    assert frame["type"] == "forum.reply_notification"
    assert frame["data"]["discussion_title"] == "Vos pratiques"
    await client.close()
