"""Who may do what in a session's forums: every forum action against every standing.

Denials are checked as carefully as grants: the refused call answers with its code and
changes nothing a user could see.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from forums import services
from forums.models import Discussion, Favourite, Forum, Like, ModerationEntry, Post, Subscription
from tests.conftest import STANDINGS

MEMBERS = {"participant", "tutor", "trainer"}
READERS = MEMBERS | {"admin_granted"}
STAFF = {"tutor", "trainer"}


def _png():
    return SimpleUploadedFile("schema.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64)


def _attachment(world, board):
    post = services.reply(
        discussion=board.discussion, author=world.tutor, body="<p>Voici le schéma.</p>"
    )
    return services.add_attachment(post=post, user=world.tutor, upload=_png())


# action -> (who may, call(api, world, board), what a refusal must leave untouched)
ACTIONS = {
    "list_forums": (
        READERS,
        lambda c, w, b: c.get(f"/sessions/{w.session.pk}/forums"),
        None,
    ),
    "read_forum": (READERS, lambda c, w, b: c.get(f"/forums/{b.forum.pk}"), None),
    "read_discussion": (
        READERS,
        lambda c, w, b: c.get(f"/discussions/{b.discussion.pk}"),
        None,
    ),
    "read_post": (READERS, lambda c, w, b: c.get(f"/posts/{b.reply.pk}"), None),
    "download_attachment": (
        READERS,
        lambda c, w, b: c.get(f"/forum-attachments/{_attachment(w, b).pk}"),
        None,
    ),
    "create_forum": (
        {"trainer"},
        lambda c, w, b: c.post(f"/sessions/{w.session.pk}/forums", {"title": "Nouveau"}),
        lambda w, b: Forum.objects.count(),
    ),
    "start_discussion": (
        MEMBERS,
        lambda c, w, b: c.post(
            f"/forums/{b.forum.pk}/discussions", {"title": "Sujet", "body": "Bonjour"}
        ),
        lambda w, b: Discussion.objects.count(),
    ),
    "start_news_discussion": (
        {"trainer"},
        lambda c, w, b: c.post(
            f"/forums/{_news(w).pk}/discussions", {"title": "Annonce", "body": "Bienvenue"}
        ),
        lambda w, b: Discussion.objects.filter(forum__kind="news").count(),
    ),
    "reply": (
        MEMBERS,
        lambda c, w, b: c.post(f"/discussions/{b.discussion.pk}/posts", {"body": "Oui"}),
        lambda w, b: Post.objects.count(),
    ),
    "like": (
        MEMBERS,
        lambda c, w, b: c.put(f"/posts/{b.reply.pk}/like"),
        lambda w, b: Like.objects.count(),
    ),
    "favourite": (
        MEMBERS,
        lambda c, w, b: c.put(f"/discussions/{b.discussion.pk}/favourite"),
        lambda w, b: Favourite.objects.count(),
    ),
    "subscribe_forum": (
        MEMBERS,
        lambda c, w, b: c.put(f"/forums/{b.forum.pk}/subscription"),
        lambda w, b: Subscription.objects.count(),
    ),
    "pin": (
        STAFF,
        lambda c, w, b: c.put(f"/discussions/{b.discussion.pk}/pin"),
        lambda w, b: Discussion.objects.filter(pinned=True).count(),
    ),
    "lock": (
        STAFF,
        lambda c, w, b: c.put(f"/discussions/{b.discussion.pk}/lock"),
        lambda w, b: Discussion.objects.filter(locked=True).count(),
    ),
    "hide": (
        STAFF,
        lambda c, w, b: c.put(f"/posts/{b.reply.pk}/hidden", {"reason": "Hors sujet"}),
        lambda w, b: Post.objects.filter(hidden=True).count(),
    ),
    "delete_post": (
        STAFF,
        lambda c, w, b: c.delete(f"/posts/{b.reply.pk}"),
        lambda w, b: Post.objects.count(),
    ),
    "moderator_edit": (
        STAFF,
        lambda c, w, b: c.patch(f"/posts/{b.reply.pk}", {"body": "Modéré"}),
        lambda w, b: Post.objects.get(pk=b.reply.pk).body,
    ),
    "move": (
        STAFF,
        lambda c, w, b: c.post(f"/discussions/{b.discussion.pk}/move", {"forum_id": _other(w)}),
        lambda w, b: Discussion.objects.get(pk=b.discussion.pk).forum_id,
    ),
    "split": (
        STAFF,
        lambda c, w, b: c.post(f"/posts/{b.reply.pk}/split", {"title": "Autre sujet"}),
        lambda w, b: Discussion.objects.count(),
    ),
    "read_moderation_log": (
        STAFF,
        lambda c, w, b: c.get(f"/sessions/{w.session.pk}/forum-moderation-log"),
        None,
    ),
}


def _news(world) -> Forum:
    return Forum.objects.create(scope=world.session.scope, title="Annonces", kind="news")


def _other(world) -> int:
    return Forum.objects.create(scope=world.session.scope, title="Autre forum").pk


TABLE = [
    (action, standing, standing in allowed)
    for action, (allowed, _call, _state) in ACTIONS.items()
    for standing in STANDINGS
]


@pytest.mark.parametrize(("action", "standing", "allowed"), TABLE)
def test_forum_action_by_standing(world, board, api, action, standing, allowed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _allowed, call, state = ACTIONS[action]
    user = world.by_standing(standing)
    before = state(world, board) if state else None
    response = call(api(user), world, board)
    if allowed:
        assert response.status_code in {200, 201, 204}, response.content
    else:
        assert response.status_code == 403, response.content
        error = response.json()["error"]
        assert error["code"] == "forbidden"
        assert error["message"]
        if state:
            assert state(world, board) == before


def test_admin_is_told_that_entering_needs_a_grant(world, board, api):
    error = api(world.admin).get(f"/discussions/{board.discussion.pk}").json()["error"]
    assert "accès accordé" in error["message"]


def _end(session, *, content_open: bool) -> None:
    session.ends_on = timezone.localdate() - timedelta(days=1)
    session.content_open_after_end = content_open
    session.save()


FROZEN_WRITES = [
    "create_forum",
    "start_discussion",
    "reply",
    "like",
    "pin",
    "lock",
    "moderator_edit",
    "move",
    "split",
]


FROZEN_TABLE = [
    (action, standing)
    for action in FROZEN_WRITES
    for standing in ("participant", "tutor", "trainer")
    if standing in ACTIONS[action][0]
]


@pytest.mark.parametrize(("action", "standing"), FROZEN_TABLE)
def test_after_the_end_no_member_can_post_like_or_edit(world, board, api, action, standing):
    _allowed, call, state = ACTIONS[action]
    _end(world.session, content_open=True)
    before = state(world, board)
    response = call(api(world.by_standing(standing)), world, board)
    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "frozen"
    assert "terminée" in error["message"]
    assert state(world, board) == before


def test_after_the_end_an_author_cannot_edit_even_within_the_window(world, board, api):
    _end(world.session, content_open=True)
    response = api(world.other_participant).patch(
        f"/posts/{board.reply.pk}", {"body": "Correction"}
    )
    assert response.json()["error"]["code"] == "frozen"


@pytest.mark.parametrize(
    ("standing", "content_open", "status"),
    [
        ("participant", True, 200),
        ("participant", False, 409),
        ("tutor", False, 200),
        ("trainer", False, 200),
        ("admin_granted", False, 200),
        ("inspector", True, 403),
        ("outsider", True, 403),
    ],
)
def test_reading_after_the_end_follows_the_trainers_choice(
    world, board, api, standing, content_open, status
):
    _end(world.session, content_open=content_open)
    response = api(world.by_standing(standing)).get(f"/discussions/{board.discussion.pk}")
    assert response.status_code == status
    if status == 409:
        assert response.json()["error"]["code"] == "frozen"
        assert "fermé" in response.json()["error"]["message"]


def test_moderators_can_still_hide_abusive_content_after_the_end(world, board, api):
    _end(world.session, content_open=True)
    response = api(world.trainer).put(f"/posts/{board.reply.pk}/hidden", {"reason": "Injurieux"})
    assert response.status_code == 200
    assert ModerationEntry.objects.filter(act="hide").exists()


def test_a_member_removed_from_the_session_loses_the_forum(world, board, api):
    world.session.memberships.filter(user=world.other_participant).delete()
    response = api(world.other_participant).get(f"/discussions/{board.discussion.pk}")
    assert response.status_code == 403
