"""Likes, favourites, subscriptions with their notifications, and read tracking."""

from forums import services
from forums.models import Like, Post, ReadMark
from tests import factories


def _reply(board, user, body="Réponse"):
    return services.reply(discussion=board.discussion, author=user, body=body)


def test_a_like_toggles_once_per_person_and_members_see_who_liked(world, board, api):
    path = f"/posts/{board.reply.pk}/like"
    assert api(world.participant).put(path).json() == {
        "post_id": board.reply.pk,
        "like_count": 1,
        "liked_by_me": True,
    }
    assert api(world.participant).put(path).json()["like_count"] == 1  # idempotent
    assert api(world.trainer).put(path).json()["like_count"] == 2
    post = api(world.other_participant).get(f"/posts/{board.reply.pk}").json()
    assert post["like_count"] == 2
    assert post["liked_by_me"] is False
    assert sorted(post["likers"]) == ["Participant Test", "Trainer Test"]
    assert api(world.participant).delete(path).json()["like_count"] == 1
    assert api(world.participant).delete(path).json()["like_count"] == 1


def test_nobody_likes_their_own_post(world, board, api):
    response = api(world.other_participant).put(f"/posts/{board.reply.pk}/like")
    assert response.status_code == 422
    assert not Like.objects.exists()


def test_a_like_publishes_the_new_count(world, board, capture_events):
    services.set_like(post=board.reply, user=world.participant, liked=True)
    services.set_like(post=board.reply, user=world.participant, liked=True)  # no change
    services.set_like(post=board.reply, user=world.participant, liked=False)
    counts = [
        e.like_count
        for t, e in capture_events.events
        if t == f"discussion:{board.discussion.pk}" and e.type == "forum.like_count"
    ]
    assert counts == [1, 0]


def test_likes_reach_the_author_in_batches_not_one_per_like(world, board, capture_events):
    likers = [world.participant, world.tutor, world.trainer]
    likers += [factories.member(world.session).user for _ in range(3)]
    for user in likers:
        services.set_like(post=board.reply, user=user, liked=True)
    topic = f"user:{world.other_participant.pk}"
    announced = [e.like_count for t, e in capture_events.events if t == topic]
    assert announced == [1, 5]  # six likes, two notifications
    # Unliking and liking again does not announce the same milestone twice.
    services.set_like(post=board.reply, user=world.participant, liked=False)
    services.set_like(post=board.reply, user=world.participant, liked=True)
    assert [e.like_count for t, e in capture_events.events if t == topic] == [1, 5]


def test_favourites_are_personal_and_listed_across_my_sessions(world, board, api):
    second_forum = services.create_forum(
        scope=world.other_session.scope,
        actor=factories.member(world.other_session, "trainer").user,
        title="Autre",
        kind="standard",
    )
    factories.member(world.other_session, "participant", user_obj=world.participant)
    elsewhere = services.start_discussion(
        forum=second_forum, author=world.participant, title="Ailleurs", body="Corps"
    )
    api(world.participant).put(f"/discussions/{board.discussion.pk}/favourite")
    api(world.participant).put(f"/discussions/{elsewhere.pk}/favourite")
    mine = api(world.participant).get("/me/favourites").json()
    assert {f["title"] for f in mine} == {"Vos pratiques", "Ailleurs"}
    assert {f["session_title"] for f in mine} == {"Session Rouen Nord", "Autre session"}
    assert api(world.other_participant).get("/me/favourites").json() == []
    detail = api(world.participant).get(f"/forums/{board.forum.pk}").json()
    assert detail["discussions"][0]["favourite"] is True
    api(world.participant).delete(f"/discussions/{board.discussion.pk}/favourite")
    assert [f["title"] for f in api(world.participant).get("/me/favourites").json()] == ["Ailleurs"]


def test_subscribers_are_notified_of_a_reply_but_not_its_author(world, board, capture_events):
    services.set_subscription(user=world.tutor, discussion=board.discussion, subscribed=True)
    services.set_subscription(user=world.trainer, forum=board.forum, subscribed=True)
    post = _reply(board, world.tutor)
    notified = {t for t, e in capture_events.events if e.type == "forum.reply_notification"}
    # The starter (participant) is subscribed automatically; the tutor wrote the reply.
    assert notified == {f"user:{world.participant.pk}", f"user:{world.trainer.pk}"}
    note = next(e for t, e in capture_events.events if t == f"user:{world.trainer.pk}")
    assert (note.post_id, note.discussion_title, note.author_name) == (
        post.pk,
        "Vos pratiques",
        "Tutor Test",
    )


def test_a_private_reply_notifies_only_subscribers_who_may_read_it(world, board, capture_events):
    services.set_subscription(user=world.trainer, discussion=board.discussion, subscribed=True)
    services.reply(
        discussion=board.discussion, author=world.other_participant, body="Privé", private=True
    )
    notified = {t for t, e in capture_events.events if e.type == "forum.reply_notification"}
    assert notified == {f"user:{world.trainer.pk}"}  # not the participant who started it


def test_a_private_answer_notifies_the_author_of_the_private_reply(world, board, capture_events):
    question = services.reply(
        discussion=board.discussion, author=world.participant, body="Je bloque.", private=True
    )
    services.set_subscription(user=world.participant, discussion=board.discussion, subscribed=True)
    services.reply(
        discussion=board.discussion, author=world.tutor, body="Voici.", parent_id=question.pk
    )
    notified = {t for t, e in capture_events.events if e.type == "forum.reply_notification"}
    assert f"user:{world.participant.pk}" in notified


def test_a_news_forum_notifies_every_member(world, capture_events):
    forum = services.create_forum(
        scope=world.session.scope, actor=world.trainer, title="Annonces", kind="news"
    )
    services.start_discussion(forum=forum, author=world.trainer, title="Bienvenue", body="Texte")
    notified = {t for t, e in capture_events.events if e.type == "forum.reply_notification"}
    members = world.session.memberships.exclude(user=world.trainer).values_list("user", flat=True)
    assert notified == {f"user:{pk}" for pk in members}


def test_unsubscribing_stops_notifications(world, board, api, capture_events):
    api(world.participant).delete(f"/discussions/{board.discussion.pk}/subscription")
    _reply(board, world.tutor)
    assert capture_events.types(f"user:{world.participant.pk}") == []


def test_unread_counts_follow_the_last_post_read(world, board, api):
    def unread(user) -> int:
        return api(user).get(f"/forums/{board.forum.pk}").json()["discussions"][0]["unread"]

    assert unread(world.participant) == 1  # the other participant's reply
    assert unread(world.tutor) == 2
    api(world.participant).put(f"/discussions/{board.discussion.pk}/read", {})
    assert unread(world.participant) == 0
    _reply(board, world.tutor)
    _reply(board, world.trainer)
    assert unread(world.participant) == 2
    assert (
        api(world.participant).get(f"/sessions/{world.session.pk}/forums").json()[0]["unread"] == 2
    )
    # Own posts are never unread.
    _reply(board, world.participant)
    assert unread(world.participant) == 2


def test_read_marks_keep_a_post_id_and_never_go_backwards(world, board, api):
    newest = Post.objects.order_by("-id").first().pk
    api(world.participant).put(f"/discussions/{board.discussion.pk}/read", {"up_to": newest})
    api(world.participant).put(f"/discussions/{board.discussion.pk}/read", {"up_to": 1})
    api(world.participant).put(f"/discussions/{board.discussion.pk}/read", {"up_to": 10**9})
    mark = ReadMark.objects.get(user=world.participant)
    assert mark.last_read_post_id == newest
    assert [f.name for f in ReadMark._meta.fields] == [
        "id",
        "user",
        "discussion",
        "last_read_post_id",
    ]


def test_an_administrator_reading_by_grant_leaves_no_read_mark(world, board, api):
    response = api(world.admin_granted).put(f"/discussions/{board.discussion.pk}/read", {})
    assert response.status_code == 204
    assert not ReadMark.objects.exists()
