"""A reply and a like cost the same few queries in a small session and in a crowded one.

Each test counts the queries of one API write with the world's handful of members, then
grows the session to hundreds of members, subscribers, posts and likes and counts again:
the count must not move (while the work done, such as notifications, grows with the crowd).
"""

import pytest

from forums.models import Like, Post, Subscription
from tests import factories
from tests.forums.conftest import make_board

CROWD = 300
# The most one reply or one like may take, whatever the size of the session (SQLite and
# PostgreSQL alike; authentication and the response included; the numbering of its events,
# after the commit, apart). A reply: token, discussion, savepoint, standing (2), opening
# post, insert, who to notify, every event in one insert, release, the answer's standing.
# A like: token, post, savepoint, standing (2), lock, count, insert, milestone, events,
# release.
REPLY_QUERIES = 11
LIKE_QUERIES = 11


def grow(world, board) -> list:
    """Hundreds of members, each following the discussion, with a post and a like each."""
    crowd = factories.crowd(world.session, CROWD)
    Subscription.objects.bulk_create(
        Subscription(user=u, discussion=board.discussion) for u in crowd
    )
    Post.objects.bulk_create(
        Post(discussion=board.discussion, author=u, parent=board.opening, body="<p>Moi</p>")
        for u in crowd
    )
    Like.objects.bulk_create(Like(post=board.opening, user=u) for u in crowd)
    return crowd


def count_queries(assert_max, limit: int, call) -> int:
    with assert_max(limit) as captured:
        call()
    return len(captured)


@pytest.mark.parametrize("kind", ["standard", "news"])
def test_a_reply_costs_as_many_queries_with_three_or_three_hundred_readers_to_notify(
    world, api, capture_events, django_assert_max_num_queries, kind
):
    board = make_board(world, kind=kind)
    client = api(world.tutor)
    client.get("/me")  # the day's visit date is written once, by the first request

    def reply() -> None:
        response = client.post(f"/discussions/{board.discussion.pk}/posts", {"body": "<p>Oui</p>"})
        assert response.status_code == 201, response.content

    small = count_queries(django_assert_max_num_queries, REPLY_QUERIES, reply)
    notified_small = sum(t.startswith("user:") for t, _ in capture_events.events)
    grow(world, board)
    large = count_queries(django_assert_max_num_queries, REPLY_QUERIES, reply)
    notified_large = sum(t.startswith("user:") for t, _ in capture_events.events) - notified_small

    assert large == small
    assert 0 < notified_small < 10 and notified_large > CROWD  # every follower or member told


def test_a_like_costs_as_many_queries_with_three_or_three_hundred_likes_and_members(
    world, api, capture_events, django_assert_max_num_queries
):
    board = make_board(world)
    liker, later = api(world.trainer), api(world.tutor)
    liker.get("/me")
    later.get("/me")

    def like(client, post) -> None:
        response = client.put(f"/posts/{post.pk}/like")
        assert response.status_code == 200, response.content

    # Both likes reach a milestone (1, then 301 past 300), so both notify the author.
    small = count_queries(
        django_assert_max_num_queries, LIKE_QUERIES, lambda: like(liker, board.reply)
    )
    grow(world, board)
    large = count_queries(
        django_assert_max_num_queries, LIKE_QUERIES, lambda: like(later, board.opening)
    )

    assert large == small
    counts = [e.like_count for t, e in capture_events.events if e.type == "forum.like_count"]
    assert counts == [1, CROWD + 1]
