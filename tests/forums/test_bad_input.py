"""Bad input gets a 4xx that names the field, never a 500, and changes nothing."""

import pytest

from forums.models import Discussion, Forum, Like, Post


def _counts():
    return (Forum.objects.count(), Discussion.objects.count(), Post.objects.count())


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/discussions/{d}/posts", {}, "body"),
        ("/discussions/{d}/posts", {"body": ""}, "body"),
        ("/discussions/{d}/posts", {"body": 42}, "body"),
        ("/discussions/{d}/posts", {"body": ["a"]}, "body"),
        ("/discussions/{d}/posts", {"body": "x" * 20_001}, "body"),
        ("/discussions/{d}/posts", {"body": "ok", "parent_id": "abc"}, "parent_id"),
        ("/discussions/{d}/posts", {"body": "ok", "parent_id": -1}, "parent_id"),
        ("/discussions/{d}/posts", {"body": "ok", "private": "peut-être"}, "private"),
        ("/forums/{f}/discussions", {"body": "ok"}, "title"),
        ("/forums/{f}/discussions", {"title": "   ", "body": "ok"}, "title"),
        ("/forums/{f}/discussions", {"title": "t" * 201, "body": "ok"}, "title"),
        ("/sessions/{s}/forums", {"title": "Forum", "kind": "wiki"}, "kind"),
        ("/discussions/{d}/move", {"forum_id": "x"}, "forum_id"),
        ("/posts/{p}/split", {"title": ""}, "title"),
    ],
)
def test_bad_fields_are_named_and_change_nothing(world, board, api, path, body, field):
    before = _counts()
    url = path.format(d=board.discussion.pk, f=board.forum.pk, s=world.session.pk, p=board.reply.pk)
    response = api(world.trainer).post(url, body)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["details"]["field"] == field
    assert _counts() == before


@pytest.mark.parametrize(
    "raw", ["{", "null", "[]", '"texte"', "\x00\x01", '{"body": "a"'], ids=repr
)
def test_a_body_that_is_not_a_json_object_is_refused(world, board, api, raw):
    before = _counts()
    response = api(world.participant).post(f"/discussions/{board.discussion.pk}/posts", raw=raw)
    assert 400 <= response.status_code < 500
    assert response.json()["error"]["code"] == "invalid"
    assert _counts() == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/forums/999999"),
        ("get", "/discussions/999999"),
        ("get", "/posts/999999"),
        ("put", "/posts/999999/like"),
        ("put", "/discussions/999999/favourite"),
        ("get", "/forum-attachments/999999"),
        ("get", "/sessions/999999/forums"),
    ],
)
def test_unknown_ids_answer_not_found(world, api, method, path):
    response = getattr(api(world.trainer), method)(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/posts/99999999999999999999999"), ("put", "/posts/99999999999999999999999/like")],
)
def test_ids_past_64_bits_are_invalid(world, api, method, path):
    response = getattr(api(world.trainer), method)(path)
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "post_id"


def test_a_non_numeric_id_is_a_clear_error(world, api):
    response = api(world.trainer).get("/discussions/abc")
    assert 400 <= response.status_code < 500


def test_anonymous_callers_are_told_to_authenticate(world, board, api):
    response = api(None).post(f"/discussions/{board.discussion.pk}/posts", {"body": "Salut"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_posting_too_fast_is_refused_with_the_retry_time(world, board, api, settings):
    settings.FORUMS_POST_RATE = (3, 60)
    client = api(world.tutor)
    path = f"/discussions/{board.discussion.pk}/posts"
    assert [client.post(path, {"body": "Vite"}).status_code for _ in range(3)] == [201] * 3
    before = _counts()
    refused = client.post(path, {"body": "Encore"})
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "rate_limited"
    assert 1 <= error["details"]["retry_after"] <= 60
    assert f"{error['details']['retry_after']} s" in error["message"]
    assert _counts() == before
    # Someone else is not slowed down.
    assert api(world.other_participant).post(path, {"body": "Moi"}).status_code == 201


def test_liking_too_fast_is_refused_with_the_retry_time(world, board, api, settings):
    settings.FORUMS_LIKE_RATE = (4, 60)
    client = api(world.participant)
    path = f"/posts/{board.reply.pk}/like"
    for _ in range(2):
        client.put(path)
        client.delete(path)
    refused = client.put(path)
    assert refused.status_code == 429
    assert refused.json()["error"]["details"]["retry_after"] >= 1
    assert not Like.objects.exists()
