"""Hostile HTML never reaches a reader: scripts, event handlers, javascript: links, styles."""

import pytest

HOSTILE = [
    ("<p>Salut<script>alert(1)</script></p>", "<p>Salut</p>"),
    ('<p onclick="steal()">Clic</p>', "<p>Clic</p>"),
    ('<img src="x" onerror="alert(1)">Texte', "Texte"),
    (
        '<a href="javascript:alert(1)">lien</a>',
        '<a rel="noopener noreferrer nofollow">lien</a>',
    ),
    ('<a href="JaVaScRiPt:alert(1)">lien</a>', '<a rel="noopener noreferrer nofollow">lien</a>'),
    (
        '<a href="data:text/html;base64,PHNjcmlwdD4=">lien</a>',
        '<a rel="noopener noreferrer nofollow">lien</a>',
    ),
    (
        '<a href="https://eduscol.education.fr" target="_blank" onmouseover="x()">Éduscol</a>',
        '<a href="https://eduscol.education.fr" rel="noopener noreferrer nofollow">Éduscol</a>',
    ),
    ('<p style="position:fixed;top:0">Voile</p>', "<p>Voile</p>"),
    ("<style>body{display:none}</style><p>Visible</p>", "<p>Visible</p>"),
    ('<iframe src="https://evil.example"></iframe><p>Après</p>', "<p>Après</p>"),
    ("<svg><script>alert(1)</script></svg>Texte", "Texte"),
    ('<form action="https://evil.example"><input name="pw"></form>Mot', "Mot"),
    ("<p>Un</p><!-- <script>alert(1)</script> --><p>Deux</p>", "<p>Un</p><p>Deux</p>"),
    ("<b>gras</b> <em>penché</em>", "<b>gras</b> <em>penché</em>"),
    ("<blockquote><p>Citation</p></blockquote>", "<blockquote><p>Citation</p></blockquote>"),
]


@pytest.mark.parametrize(("raw", "stored"), HOSTILE)
def test_hostile_html_is_cleaned_before_it_is_stored(world, board, api, raw, stored):
    response = api(world.participant).post(
        f"/discussions/{board.discussion.pk}/posts", {"body": raw}
    )
    assert response.status_code == 201
    assert response.json()["body"] == stored
    shown = api(world.other_participant).get(f"/posts/{response.json()['id']}").json()["body"]
    assert shown == stored


@pytest.mark.parametrize(
    "raw", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<p> </p>", "<br><br>"]
)
def test_a_post_that_is_empty_once_cleaned_is_refused(world, board, api, raw):
    before = board.discussion.posts.count()
    response = api(world.participant).post(
        f"/discussions/{board.discussion.pk}/posts", {"body": raw}
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "body"
    assert board.discussion.posts.count() == before


def test_edits_are_cleaned_too(world, board, api):
    response = api(world.other_participant).patch(
        f"/posts/{board.reply.pk}", {"body": '<p onclick="x()">Corrigé<script>1</script></p>'}
    )
    assert response.json()["body"] == "<p>Corrigé</p>"


def test_titles_are_text_not_html(world, board, api):
    response = api(world.participant).post(
        f"/forums/{board.forum.pk}/discussions",
        {"title": "<b>Titre</b>", "body": "Corps"},
    )
    assert response.json()["title"] == "<b>Titre</b>"  # escaped by every page that shows it
