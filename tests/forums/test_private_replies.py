"""Private replies stay private everywhere: in quotes (API and page fragment) and live.

Who may read a private reply: its author, the session's trainers and tutors, an
administrator under a grant, and the author of the private reply it answers.
"""

import pytest
from channels.db import database_sync_to_async

from forums import moderation, services
from tests import factories
from tests.forums.conftest import make_board
from tests.realtime.support import connect

SECRET = "Confidence pour les formateurs"
MAY_READ_PRIVATE = {"participant", "tutor", "trainer", "admin_granted"}
READERS = {"participant", "other_participant", "tutor", "trainer", "admin_granted"}


def _private_then_quoted(world, board):
    """The participant replies privately; the tutor answers in public, quoting it."""
    private = services.reply(
        discussion=board.discussion, author=world.participant, body=SECRET, private=True
    )
    public = services.reply(
        discussion=board.discussion,
        author=world.tutor,
        body="<p>Je reprends une remarque.</p>",
        quote_id=private.pk,
    )
    return private, public


@pytest.mark.parametrize("standing", sorted(READERS))
def test_a_quote_of_a_private_reply_shows_only_to_its_readers_in_the_api(
    world, board, api, standing
):
    private, public = _private_then_quoted(world, board)
    user = getattr(world, standing)
    got = api(user).get(f"/posts/{public.pk}").json()
    if standing in MAY_READ_PRIVATE:
        assert got["quote"]["post_id"] == private.pk
        assert SECRET in got["quote"]["excerpt"]
    else:
        assert got["quote"] is None
        assert SECRET not in str(got)
    # The whole discussion has always applied the same rule.
    listed = api(user).get(f"/discussions/{board.discussion.pk}").json()["posts"]
    (row,) = [p for p in listed if p["id"] == public.pk]
    assert row["quote"] == got["quote"]


@pytest.mark.parametrize("standing", sorted(READERS))
def test_a_quote_of_a_private_reply_shows_only_to_its_readers_in_the_page_fragment(
    world, board, client, standing
):
    _private, public = _private_then_quoted(world, board)
    client.force_login(getattr(world, standing))
    page = client.get(f"/forums/messages/{public.pk}/").content.decode()
    assert "Je reprends une remarque." in page
    assert (SECRET in page) is (standing in MAY_READ_PRIVATE)


def test_the_api_answer_to_a_public_reply_quoting_a_private_one_keeps_it_from_its_author(
    world, board, api
):
    """The quoting author is a reader; the answer they get back shows what they may see."""
    private, _ = _private_then_quoted(world, board)
    answer = api(world.trainer).post(
        f"/discussions/{board.discussion.pk}/posts", {"body": "Vu", "quote_id": private.pk}
    )
    assert answer.status_code == 201
    assert SECRET in answer.json()["quote"]["excerpt"]


# -- live ---------------------------------------------------------------------------------


async def _follow(user, *topics):
    client, _ = await connect(user)
    for topic in topics:
        assert (await client.subscribe(topic))["op"] == "subscribed"
    return client


def _announces(frame: dict, topic: str, post_id: int) -> bool:
    return frame.get("topic") == topic and frame.get("data", {}).get("post_id") == post_id


@pytest.mark.django_db(transaction=True)
async def test_a_private_reply_is_announced_only_to_those_who_may_read_it(world):
    board = await database_sync_to_async(make_board)(world)
    forum, discussion = f"forum:{board.forum.pk}", f"discussion:{board.discussion.pk}"
    followers = {
        standing: await _follow(
            getattr(world, standing), forum, discussion, f"user:{getattr(world, standing).pk}"
        )
        for standing in sorted(READERS)
    }
    private = await database_sync_to_async(services.reply)(
        discussion=board.discussion, author=world.participant, body=SECRET, private=True
    )
    # A public reply after it: what everyone receives, so silence is not just a slow bus.
    public = await database_sync_to_async(services.reply)(
        discussion=board.discussion, author=world.trainer, body="Public"
    )
    for standing, client in followers.items():
        frames = [await client.recv()]
        while not _announces(frames[-1], discussion, public.pk):
            frames.append(await client.recv())
        user_topic = f"user:{getattr(world, standing).pk}"
        about_it = [f for f in frames if f.get("data", {}).get("post_id") == private.pk]
        assert all(f["topic"] == user_topic for f in about_it), (standing, about_it)
        if standing in MAY_READ_PRIVATE:
            assert [f["type"] for f in about_it] == ["forum.post_created"]
            assert about_it[0]["data"]["private"] is True
        else:
            assert not about_it, (standing, about_it)
            assert await client.nothing(0.3)
        await client.close()


@pytest.mark.django_db(transaction=True)
async def test_edits_likes_and_moderation_of_a_private_reply_stay_with_its_readers(world):
    board = await database_sync_to_async(make_board)(world)
    discussion = f"discussion:{board.discussion.pk}"
    private = await database_sync_to_async(services.reply)(
        discussion=board.discussion, author=world.participant, body=SECRET, private=True
    )
    outsider_reader = await _follow(world.other_participant, discussion)
    trainer = await _follow(world.trainer, discussion, f"user:{world.trainer.pk}")
    await database_sync_to_async(moderation.edit_post)(
        post=private, actor=world.participant, body="Corrigé"
    )
    await database_sync_to_async(services.set_like)(post=private, user=world.tutor, liked=True)
    await database_sync_to_async(moderation.set_hidden)(
        post=private, actor=world.tutor, hidden=True, reason="Hors sujet"
    )
    frames = await trainer.events(3, topic=f"user:{world.trainer.pk}")
    assert [f["type"] for f in frames] == [
        "forum.post_edited",
        "forum.like_count",
        "forum.post_hidden",
    ]
    assert await outsider_reader.nothing(0.5)
    await outsider_reader.close()
    await trainer.close()


def test_an_answer_in_a_qa_forum_is_announced_only_to_those_who_may_read_it(world, capture_events):
    """A participant sees others' answers once they have answered: until then, no event."""
    board = make_board(world, kind="qa")  # the other participant has answered
    newcomer = factories.member(world.session, "participant", username="newcomer").user
    answer = services.reply(discussion=board.discussion, author=world.participant, body="Moi")
    topics = {
        topic
        for topic, event in capture_events.events
        if event.type == "forum.post_created" and event.post_id == answer.pk
    }
    readers = [world.participant, world.other_participant, world.tutor, world.trainer]
    assert topics == {f"user:{user.pk}" for user in [*readers, world.admin_granted]}
    assert f"user:{newcomer.pk}" not in topics
