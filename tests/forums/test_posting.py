"""Discussions and replies: threads, quotes, private replies, forum types, edits, events."""

from datetime import timedelta

import pytest
from django.utils import timezone

from forums import services
from forums.models import Forum, Post
from tests.forums.conftest import make_board


def _bodies(api, user, discussion) -> list[str]:
    return [p["body"] for p in api(user).get(f"/discussions/{discussion.pk}").json()["posts"]]


def test_a_participant_starts_a_discussion_and_others_reply_in_threads(world, api):
    forum = services.create_forum(
        scope=world.session.scope, actor=world.trainer, title="Pratiques", kind="standard"
    )
    created = api(world.participant).post(
        f"/forums/{forum.pk}/discussions",
        {"title": "  Le questionnement  ", "body": "<p>Comment questionnez-vous ?</p>"},
    )
    assert created.status_code == 201
    discussion = created.json()
    assert discussion["title"] == "Le questionnement"
    assert discussion["subscribed"] is True  # the author follows their discussion
    first = api(world.tutor).post(f"/discussions/{discussion['id']}/posts", {"body": "Par oral."})
    nested = api(world.trainer).post(
        f"/discussions/{discussion['id']}/posts",
        {"body": "Et à l'écrit ?", "parent_id": first.json()["id"], "quote_id": first.json()["id"]},
    )
    assert nested.status_code == 201
    posts = api(world.participant).get(f"/discussions/{discussion['id']}").json()["posts"]
    assert [p["parent_id"] for p in posts] == [None, posts[0]["id"], first.json()["id"]]
    assert posts[2]["quote"] == {
        "post_id": first.json()["id"],
        "author_name": "Tutor Test",
        "excerpt": "Par oral.",
    }
    assert posts[2]["word_count"] == 3


def test_plain_text_becomes_paragraphs(world, board, api):
    body = "Premier paragraphe\nsuite & fin\n\nSecond"
    post = api(world.participant).post(f"/discussions/{board.discussion.pk}/posts", {"body": body})
    assert post.json()["body"] == "<p>Premier paragraphe<br>suite &amp; fin</p><p>Second</p>"


def test_word_count_counts_words_not_markup(world, board, api):
    body = "<p>L'école <strong>publique</strong>, c'est-à-dire : 3 classes.</p><ul><li>un</li></ul>"
    post = api(world.participant).post(f"/discussions/{board.discussion.pk}/posts", {"body": body})
    assert post.json()["word_count"] == 6


def test_a_private_reply_is_seen_by_its_author_and_the_staff_only(world, board, api):
    api(world.participant).post(
        f"/discussions/{board.discussion.pk}/posts",
        {"body": "Je n'ose pas le dire à tous.", "private": True},
    )
    secret = "<p>Je n'ose pas le dire à tous.</p>"
    for user in (world.participant, world.tutor, world.trainer, world.admin_granted):
        assert secret in _bodies(api, user, board.discussion)
    assert secret not in _bodies(api, world.other_participant, board.discussion)
    private_id = Post.objects.get(private=True).pk
    assert api(world.other_participant).get(f"/posts/{private_id}").status_code == 404


def test_a_reply_to_a_private_reply_stays_private(world, board, api):
    private = services.reply(
        discussion=board.discussion, author=world.participant, body="Privé", private=True
    )
    answer = api(world.trainer).post(
        f"/discussions/{board.discussion.pk}/posts", {"body": "Réponse", "parent_id": private.pk}
    )
    assert answer.json()["private"] is True
    assert "<p>Réponse</p>" not in _bodies(api, world.other_participant, board.discussion)


def test_the_author_of_a_private_reply_reads_the_private_answers_to_it(world, board, api):
    question = services.reply(
        discussion=board.discussion, author=world.participant, body="Je bloque.", private=True
    )
    services.reply(
        discussion=board.discussion, author=world.trainer, body="Voici.", parent_id=question.pk
    )
    assert "<p>Voici.</p>" in _bodies(api, world.participant, board.discussion)
    assert "<p>Voici.</p>" not in _bodies(api, world.other_participant, board.discussion)


def test_a_private_reply_to_a_public_post_stays_hidden_from_that_posts_author(world, board, api):
    services.reply(
        discussion=board.discussion,
        author=world.participant,
        body="Entre nous",
        parent_id=board.reply.pk,
        private=True,
    )
    assert "<p>Entre nous</p>" not in _bodies(api, world.other_participant, board.discussion)


def test_nobody_can_reply_under_or_quote_a_post_they_cannot_see(world, board, api):
    private = services.reply(
        discussion=board.discussion, author=world.participant, body="Privé", private=True
    )
    for field in ("parent_id", "quote_id"):
        response = api(world.other_participant).post(
            f"/discussions/{board.discussion.pk}/posts", {"body": "Et moi ?", field: private.pk}
        )
        assert response.status_code == 404
        assert response.json()["error"]["details"]["field"] == field


def test_in_a_qa_forum_answers_show_only_after_posting_ones_own(world, api):
    board = make_board(world, kind="qa")  # other_participant answered already
    question = "<p>Comment faites-vous ?</p>"
    their_answer = "<p>Je questionne.</p>"
    assert _bodies(api, world.participant, board.discussion) == [question]
    assert _bodies(api, world.trainer, board.discussion) == [question, their_answer]
    hidden_answer = api(world.participant).get(f"/posts/{board.reply.pk}")
    assert hidden_answer.status_code == 404
    api(world.participant).post(f"/discussions/{board.discussion.pk}/posts", {"body": "Moi aussi"})
    assert _bodies(api, world.participant, board.discussion) == [
        question,
        their_answer,
        "<p>Moi aussi</p>",
    ]


def test_unread_counts_in_a_qa_forum_do_not_reveal_hidden_answers(world, api):
    board = make_board(world, kind="qa")
    discussions = api(world.participant).get(f"/forums/{board.forum.pk}").json()["discussions"]
    assert discussions[0]["unread"] == 0
    assert discussions[0]["post_count"] == 1


def test_only_trainers_start_discussions_in_a_news_forum(world, api):
    board = make_board(world, kind="news")
    for user, status in ((world.participant, 403), (world.tutor, 403), (world.trainer, 201)):
        response = api(user).post(
            f"/forums/{board.forum.pk}/discussions", {"title": "Info", "body": "Texte"}
        )
        assert response.status_code == status
    # Everyone may still reply to an announcement.
    reply = api(world.participant).post(
        f"/discussions/{board.discussion.pk}/posts", {"body": "Merci"}
    )
    assert reply.status_code == 201


def test_a_single_discussion_forum_holds_exactly_one_discussion(world, api):
    board = make_board(world, kind="single")
    assert board.forum.discussions.count() == 1
    assert board.opening.body == "<p>Présentation du forum</p>"
    response = api(world.trainer).post(
        f"/forums/{board.forum.pk}/discussions", {"title": "Deux", "body": "Non"}
    )
    assert response.status_code == 403
    assert "qu'une discussion" in response.json()["error"]["message"]
    assert board.forum.discussions.count() == 1


def test_a_single_discussion_forum_needs_its_subject(world, api):
    response = api(world.trainer).post(
        f"/sessions/{world.session.pk}/forums", {"title": "Unique", "kind": "single"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "description"
    assert not Forum.objects.exists()


def test_a_locked_discussion_refuses_replies_and_says_so(world, board, api):
    api(world.trainer).put(f"/discussions/{board.discussion.pk}/lock")
    response = api(world.participant).post(
        f"/discussions/{board.discussion.pk}/posts", {"body": "Encore"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["details"]["reason"] == "locked"
    assert "verrouillée" in response.json()["error"]["message"]
    api(world.trainer).delete(f"/discussions/{board.discussion.pk}/lock")
    again = api(world.participant).post(f"/discussions/{board.discussion.pk}/posts", {"body": "Ok"})
    assert again.status_code == 201


def test_authors_edit_their_post_within_the_window(world, board, api):
    response = api(world.other_participant).patch(f"/posts/{board.reply.pk}", {"body": "Corrigé"})
    assert response.status_code == 200
    assert response.json()["body"] == "<p>Corrigé</p>"
    assert response.json()["edited_at"] is not None
    assert response.json()["edited_by_moderator"] is False


@pytest.mark.parametrize("minutes", [30, 5])
def test_after_the_edit_window_an_author_can_no_longer_edit(world, board, api, settings, minutes):
    settings.FORUMS_EDIT_WINDOW_MINUTES = minutes
    Post.objects.filter(pk=board.reply.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes + 1)
    )
    response = api(world.other_participant).patch(f"/posts/{board.reply.pk}", {"body": "Trop tard"})
    assert response.status_code == 403
    assert f"{minutes} minutes" in response.json()["error"]["message"]
    assert Post.objects.get(pk=board.reply.pk).body == "<p>Je questionne.</p>"


def test_nobody_edits_someone_elses_post_without_moderating(world, board, api):
    response = api(world.participant).patch(f"/posts/{board.reply.pk}", {"body": "Pirate"})
    assert response.status_code == 403
    assert Post.objects.get(pk=board.reply.pk).body == "<p>Je questionne.</p>"


def test_a_moderator_edit_is_marked_and_logged(world, board, api):
    response = api(world.tutor).patch(f"/posts/{board.reply.pk}", {"body": "Reformulé"})
    assert response.json()["edited_by_moderator"] is True
    log = api(world.trainer).get(f"/sessions/{world.session.pk}/forum-moderation-log").json()
    assert [(e["act"], e["actor_name"], e["post_id"]) for e in log] == [
        ("edit", "Tutor Test", board.reply.pk)
    ]


def test_posting_publishes_on_the_forum_and_the_discussion(world, board, capture_events):
    post = services.reply(discussion=board.discussion, author=world.tutor, body="Bien vu")
    forum, discussion = f"forum:{board.forum.pk}", f"discussion:{board.discussion.pk}"
    assert capture_events.types(discussion)[-1] == "forum.post_created"
    assert capture_events.types(forum)[-1] == "forum.post_created"
    created = [e for t, e in capture_events.events if t == discussion][-1]
    assert created.data() == {
        "forum_id": board.forum.pk,
        "discussion_id": board.discussion.pk,
        "post_id": post.pk,
        "parent_id": board.opening.pk,
        "private": False,
    }


def test_events_never_carry_the_text_of_a_post(world, board, capture_events):
    services.reply(
        discussion=board.discussion, author=world.participant, body="Secret", private=True
    )
    assert all("Secret" not in str(event.data()) for _topic, event in capture_events.events)


def test_a_rolled_back_reply_publishes_nothing(world, board, capture_events):
    with pytest.raises(Exception, match="vide"):
        services.reply(discussion=board.discussion, author=world.tutor, body="<script>x</script>")
    assert capture_events.types() == []


def test_the_answer_to_a_reply_is_the_post_as_its_author_reads_it_afterwards(world, board, api):
    client = api(world.tutor)
    answer = client.post(
        f"/discussions/{board.discussion.pk}/posts",
        {"body": "Je cite.", "parent_id": board.reply.pk, "quote_id": board.reply.pk},
    )

    assert answer.status_code == 201
    written = answer.json()
    assert written["quote"]["excerpt"] == "Je questionne."
    assert written == client.get(f"/posts/{written['id']}").json()


def test_discussions_list_the_latest_activity_first(world, board, api):
    later = services.start_discussion(
        forum=board.forum, author=world.trainer, title="Plus récente", body="<p>Bonjour</p>"
    )
    reader = api(world.participant)

    def listed() -> list[int]:
        return [d["id"] for d in reader.get(f"/forums/{board.forum.pk}").json()["discussions"]]

    assert listed() == [later.pk, board.discussion.pk]
    reply = api(world.tutor).post(f"/discussions/{board.discussion.pk}/posts", {"body": "Moi"})
    assert listed() == [board.discussion.pk, later.pk]
    # Once that reply is deleted, the discussion's latest activity is what it was.
    assert api(world.trainer).delete(f"/posts/{reply.json()['id']}").status_code == 204
    assert listed() == [later.pk, board.discussion.pk]
    assert api(world.trainer).put(f"/discussions/{board.discussion.pk}/pin").status_code == 200
    assert listed() == [board.discussion.pk, later.pk]  # pinned first, whatever the activity
