"""Many people writing at once in one discussion, on PostgreSQL with real threads.

Replies no longer queue on the discussion's row (its place in the list is derived from its
posts), and likes of one post still take turns on the post's row: every reader hears of
every post once, in order, every count published is the true one, and the follower's bell
gets one notification per reply.
"""

import json

import pytest

from forums import selectors, services
from forums.models import Like, Post
from realtime.models import StoredEvent
from tests import factories
from tests.forums.conftest import make_board
from tests.services import require_postgres, run_together

WRITERS = 8


def frames(topic: str, event_type: str) -> list[tuple[int, dict]]:
    """(seq, data) of the numbered `event_type` events of `topic`, in seq order."""
    rows = StoredEvent.objects.filter(topic=topic).order_by("seq").values_list("seq", "frame")
    found = [(seq, json.loads(frame)) for seq, frame in rows]
    return [(seq, frame["data"]) for seq, frame in found if frame["type"] == event_type]


def assert_gapless(topic: str) -> None:
    seqs = list(StoredEvent.objects.filter(topic=topic).values_list("seq", flat=True))
    assert None not in seqs  # every committed event was numbered
    assert sorted(seqs) == list(range(1, len(seqs) + 1))


@pytest.fixture
def unlimited(settings):
    settings.FORUMS_POST_RATE = settings.FORUMS_LIKE_RATE = (1_000_000, 60)


@pytest.mark.django_db(transaction=True)
def test_concurrent_replies_in_one_discussion_each_reach_readers_and_the_follower_once(
    world, unlimited
):
    require_postgres()
    board = make_board(world)
    quiet = services.start_discussion(
        forum=board.forum, author=world.trainer, title="Plus récente", body="<p>Rien</p>"
    )
    writers = factories.crowd(world.session, WRITERS)
    rounds = 4

    def write(n: int) -> None:
        for r in range(rounds):
            services.reply(discussion=board.discussion, author=writers[n], body=f"<p>{n}-{r}</p>")

    run_together(WRITERS, write)

    written = set(
        Post.objects.filter(discussion=board.discussion, author__in=writers).values_list(
            "id", flat=True
        )
    )
    assert len(written) == WRITERS * rounds
    for topic in (f"forum:{board.forum.pk}", f"discussion:{board.discussion.pk}"):
        assert_gapless(topic)
        announced = [data["post_id"] for _, data in frames(topic, "forum.post_created")]
        assert sorted(p for p in announced if p in written) == sorted(written)
    # The discussion's author follows it: one bell notification per reply, numbered gapless.
    follower = f"user:{world.participant.pk}"
    assert_gapless(follower)
    notified = [data["post_id"] for _, data in frames(follower, "forum.reply_notification")]
    assert sorted(p for p in notified if p in written) == sorted(written)
    # The busy discussion comes back above the one started after it.
    who = selectors.viewer(world.trainer, board.forum.scope)
    listed = [d.pk for d in selectors.discussions(board.forum, who)]
    assert listed == [board.discussion.pk, quiet.pk]


@pytest.mark.django_db(transaction=True)
def test_concurrent_likes_then_unlikes_publish_every_true_count_once_in_order(world, unlimited):
    require_postgres()
    board = make_board(world)
    post = selectors.get_post(board.opening.pk)
    likers = factories.crowd(world.session, WRITERS)
    topic = f"discussion:{board.discussion.pk}"

    def like(n: int) -> None:
        services.set_like(post=selectors.get_post(post.pk), user=likers[n], liked=True)

    def unlike(n: int) -> None:
        if n % 2:
            services.set_like(post=selectors.get_post(post.pk), user=likers[n], liked=False)

    run_together(WRITERS, like)
    run_together(WRITERS, unlike)

    assert Like.objects.filter(post=post).count() == WRITERS // 2
    assert_gapless(topic)
    counts = [data["like_count"] for _, data in frames(topic, "forum.like_count")]
    # Up one by one to all of them, then down one by one: never a count published twice
    # or out of turn.
    assert counts == list(range(1, WRITERS + 1)) + list(range(WRITERS - 1, WRITERS // 2 - 1, -1))
