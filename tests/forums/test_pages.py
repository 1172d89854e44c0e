"""The forum pages: what each reader sees, and the demo forums."""

import pytest

from forums import demo, moderation, services
from forums.models import Discussion, Forum, Post, ReadMark
from tests import factories


@pytest.fixture
def browse(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def test_a_participant_browses_from_the_forum_list_to_a_discussion(world, board, browse):
    client = browse(world.participant)
    listing = client.get(f"/sessions/{world.session.pk}/forums/").content.decode()
    assert "Forum standard" in listing
    assert "Ouvrir un forum" not in listing
    forum = client.get(f"/forums/{board.forum.pk}/").content.decode()
    assert "Vos pratiques" in forum and "Nouvelle discussion" in forum
    page = client.get(f"/forums/discussions/{board.discussion.pk}/").content.decode()
    assert "Je questionne." in page
    assert 'class="like"' in page and 'id="favourite"' in page
    assert "Masquer" not in page and 'id="pin"' not in page


def test_a_live_page_refetches_rows_and_posts_as_its_reader_sees_them(world, board, browse):
    client = browse(world.participant)
    rows = client.get(f"/forums/{board.forum.pk}/discussions/").content.decode()
    assert "Vos pratiques" in rows and "<html" not in rows
    post = client.get(f"/forums/messages/{board.reply.pk}/?depth=2").content.decode()
    assert 'data-depth="2"' in post and "Je questionne." in post
    outsider = browse(world.outsider)
    assert outsider.get(f"/forums/{board.forum.pk}/discussions/").status_code == 403
    assert outsider.get(f"/forums/messages/{board.reply.pk}/").status_code == 403


def test_moderators_get_the_moderation_controls(world, board, browse):
    page = browse(world.tutor).get(f"/forums/discussions/{board.discussion.pk}/").content.decode()
    for control in ('id="pin"', 'id="lock"', "Masquer", "Supprimer", "Scinder"):
        assert control in page
    listing = browse(world.trainer).get(f"/sessions/{world.session.pk}/forums/").content.decode()
    assert "Ouvrir un forum" in listing


def test_trainers_read_the_moderation_log_page_and_participants_do_not(world, board, browse):
    moderation.set_hidden(post=board.reply, actor=world.tutor, hidden=True, reason="Hors charte")
    url = f"/sessions/{world.session.pk}/forums/moderation/"
    page = browse(world.trainer).get(url).content.decode()
    assert "message masqué" in page and "Hors charte" in page and "Tutor Test" in page
    assert browse(world.participant).get(url).status_code == 403


def test_opening_a_discussion_marks_it_read(world, board, browse):
    browse(world.participant).get(f"/forums/discussions/{board.discussion.pk}/")
    assert ReadMark.objects.get(user=world.participant).last_read_post_id == board.reply.pk


def test_a_private_reply_is_not_in_another_participants_page(world, board, browse):
    private = services.reply(
        discussion=board.discussion, author=world.participant, body="Confidentiel", private=True
    )
    client = browse(world.other_participant)
    page = client.get(f"/forums/discussions/{board.discussion.pk}/").content.decode()
    assert "Confidentiel" not in page
    assert client.get(f"/forums/messages/{private.pk}/").status_code == 404
    trainer_view = browse(world.trainer).get(f"/forums/messages/{private.pk}/").content.decode()
    assert "Confidentiel" in trainer_view


def test_hostile_html_never_reaches_the_page(world, board, browse):
    services.reply(
        discussion=board.discussion,
        author=world.participant,
        body='<p onmouseover="steal()">Bonjour<script>alert("x")</script></p>',
    )
    page = browse(world.other_participant).get(f"/forums/discussions/{board.discussion.pk}/")
    html = page.content.decode()
    assert "Bonjour" in html
    assert 'alert("x")' not in html and "steal()" not in html


@pytest.mark.parametrize("standing", ["inspector", "admin", "outsider", "designer"])
def test_outsiders_get_a_refusal_page(world, board, browse, standing):
    response = browse(world.by_standing(standing)).get(
        f"/forums/discussions/{board.discussion.pk}/"
    )
    assert response.status_code == 403
    assert "Je questionne." not in response.content.decode()


def test_my_favourites_page_lists_my_favourites(world, board, browse):
    services.set_favourite(discussion=board.discussion, user=world.participant, favourite=True)
    page = browse(world.participant).get("/forums/favoris/").content.decode()
    assert "Vos pratiques" in page and "Session Rouen Nord" in page


def test_demo_forums_are_seeded_once(db):
    session = factories.session()
    factories.member(session, "trainer")
    for _ in range(3):
        factories.member(session, "participant")
    demo.seed(session)
    demo.seed(session)
    assert Forum.objects.filter(scope__session=session).count() == 2
    assert Discussion.objects.filter(forum__scope__session=session).count() == 3
    assert Discussion.objects.filter(pinned=True).count() == 1
    assert Post.objects.filter(quote_of__isnull=False).count() == 1
