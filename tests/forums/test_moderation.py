"""Moderation by trainers and tutors: pin, lock, hide, delete, move, split, and the log."""

from forums import services
from forums.models import Discussion, Forum, Post


def _log(api, world) -> list[tuple[str, str]]:
    entries = api(world.trainer).get(f"/sessions/{world.session.pk}/forum-moderation-log").json()
    return [(e["act"], e["actor_name"]) for e in entries]


def test_pinned_discussions_come_first(world, board, api):
    later = services.start_discussion(
        forum=board.forum, author=world.tutor, title="Plus récente", body="Texte"
    )
    titles = lambda: [  # noqa: E731
        d["title"]
        for d in api(world.participant).get(f"/forums/{board.forum.pk}").json()["discussions"]
    ]
    assert titles() == ["Plus récente", "Vos pratiques"]
    pinned = api(world.tutor).put(f"/discussions/{board.discussion.pk}/pin").json()
    assert pinned["pinned"] is True
    assert titles() == ["Vos pratiques", "Plus récente"]
    assert later.pk


def test_pin_and_lock_publish_on_the_forum_and_the_discussion(world, board, api, capture_events):
    api(world.trainer).put(f"/discussions/{board.discussion.pk}/pin")
    api(world.trainer).put(f"/discussions/{board.discussion.pk}/lock")
    for topic in (f"forum:{board.forum.pk}", f"discussion:{board.discussion.pk}"):
        updates = [e for t, e in capture_events.events if t == topic and "updated" in e.type]
        assert [(e.pinned, e.locked) for e in updates] == [(True, False), (True, True)]
    assert _log(api, world) == [("lock", "Trainer Test"), ("pin", "Trainer Test")]


def test_a_pin_and_a_lock_made_at_once_both_show_in_the_last_event(world, board, capture_events):
    """Two moderators' requests load the discussion before either writes."""
    from forums import moderation

    seen_by_first, seen_by_second = (Discussion.objects.get(pk=board.discussion.pk) for _ in "ab")
    moderation.set_pinned(discussion=seen_by_first, actor=world.trainer, pinned=True)
    moderation.set_locked(discussion=seen_by_second, actor=world.tutor, locked=True)
    last = [e for t, e in capture_events.events if t == f"discussion:{board.discussion.pk}"][-1]
    assert (last.pinned, last.locked) == (True, True)


def test_a_hidden_post_shows_its_reason_to_its_author_only(world, board, api, capture_events):
    response = api(world.tutor).put(
        f"/posts/{board.reply.pk}/hidden", {"reason": "Propos hors charte"}
    )
    assert response.status_code == 200
    mine = api(world.other_participant).get(f"/posts/{board.reply.pk}").json()
    assert (mine["hidden"], mine["hidden_reason"], mine["body"]) == (
        True,
        "Propos hors charte",
        "<p>Je questionne.</p>",
    )
    theirs = api(world.participant).get(f"/posts/{board.reply.pk}").json()
    assert (theirs["hidden"], theirs["hidden_reason"], theirs["body"]) == (True, "", "")
    assert capture_events.types(f"discussion:{board.discussion.pk}")[-1] == "forum.post_hidden"
    assert api(world.participant).put(f"/posts/{board.reply.pk}/like").status_code == 409
    api(world.tutor).delete(f"/posts/{board.reply.pk}/hidden")
    back = api(world.participant).get(f"/posts/{board.reply.pk}").json()
    assert (back["hidden"], back["body"]) == (False, "<p>Je questionne.</p>")
    assert _log(api, world) == [("unhide", "Tutor Test"), ("hide", "Tutor Test")]


def test_hiding_needs_a_reason(world, board, api):
    response = api(world.tutor).put(f"/posts/{board.reply.pk}/hidden", {"reason": ""})
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "reason"
    assert not Post.objects.get(pk=board.reply.pk).hidden


def test_deleting_a_reply_deletes_the_replies_below_it(world, board, api, capture_events):
    below = services.reply(
        discussion=board.discussion, author=world.tutor, body="Sous", parent_id=board.reply.pk
    )
    assert api(world.trainer).delete(f"/posts/{board.reply.pk}?reason=Doublon").status_code == 204
    assert list(board.discussion.posts.values_list("id", flat=True)) == [board.opening.pk]
    removed = [e for t, e in capture_events.events if e.type == "forum.posts_removed"][-1]
    assert sorted(removed.post_ids) == [board.reply.pk, below.pk]
    entry = api(world.trainer).get(f"/sessions/{world.session.pk}/forum-moderation-log").json()[0]
    assert (entry["act"], entry["reason"], entry["summary"]) == (
        "delete_post",
        "Doublon",
        "Je questionne.",
    )


def test_deleting_the_opening_post_deletes_the_discussion(world, board, api):
    api(world.trainer).delete(f"/posts/{board.opening.pk}")
    assert not Discussion.objects.filter(pk=board.discussion.pk).exists()
    assert api(world.participant).get(f"/discussions/{board.discussion.pk}").status_code == 404
    assert _log(api, world) == [("delete_discussion", "Trainer Test")]


def test_a_discussion_moves_only_within_its_session(world, board, api, capture_events):
    target = Forum.objects.create(scope=world.session.scope, title="Archives")
    foreign = Forum.objects.create(scope=world.other_session.scope, title="Ailleurs")
    refused = api(world.trainer).post(
        f"/discussions/{board.discussion.pk}/move", {"forum_id": foreign.pk}
    )
    assert refused.status_code == 404
    assert refused.json()["error"]["details"]["field"] == "forum_id"
    moved = api(world.trainer).post(
        f"/discussions/{board.discussion.pk}/move", {"forum_id": target.pk}
    )
    assert moved.json()["forum_id"] == target.pk
    assert {t for t, e in capture_events.events if e.type == "forum.discussion_moved"} == {
        f"forum:{board.forum.pk}",
        f"forum:{target.pk}",
        f"discussion:{board.discussion.pk}",
    }


def test_splitting_a_thread_makes_a_new_discussion(world, board, api):
    below = services.reply(
        discussion=board.discussion, author=world.tutor, body="Sous", parent_id=board.reply.pk
    )
    created = api(world.tutor).post(f"/posts/{board.reply.pk}/split", {"title": "Nouveau fil"})
    assert created.status_code == 201
    new_id = created.json()["id"]
    posts = api(world.participant).get(f"/discussions/{new_id}").json()["posts"]
    assert [(p["id"], p["parent_id"]) for p in posts] == [
        (board.reply.pk, None),
        (below.pk, board.reply.pk),
    ]
    assert list(board.discussion.posts.values_list("id", flat=True)) == [board.opening.pk]
    assert _log(api, world) == [("split", "Tutor Test")]


def test_the_opening_post_cannot_be_split_off(world, board, api):
    response = api(world.tutor).post(f"/posts/{board.opening.pk}/split", {"title": "Non"})
    assert response.status_code == 422
    assert Discussion.objects.count() == 1


def test_the_moderation_log_belongs_to_its_session(world, board, api):
    api(world.trainer).put(f"/discussions/{board.discussion.pk}/pin")
    other = api(world.outsider).get(f"/sessions/{world.other_session.pk}/forum-moderation-log")
    assert other.status_code == 403  # a participant there, not a trainer
