"""Posts are written in Markdown and edited as Markdown: the stored HTML reads back as the
text its author typed, and that text stores the same HTML again."""

import pytest

from forums.markdown import to_markdown
from forums.text import sanitize

WRITTEN = [
    "Premier paragraphe\nsuite & fin\n\nSecond",
    "Voir https://eduscol.education.fr/x?a=1 et **gras**, *penché*, ~~barré~~",
    "- un\n- deux\n\n1. a\n2. b",
    "> cité\n> encore",
    "`code` et [le lien](https://www.ac-normandie.fr/page)",
    "Des * étoiles, des _tirets_, un # dièse et 1. pas une liste",
    "```\nx = 1\ny = 2\n```",
    "### Titre\n\n- a\n  - b",
]


@pytest.mark.parametrize("written", WRITTEN)
def test_a_stored_post_reads_back_as_markdown_that_stores_the_same_post(written):
    stored = sanitize(written)
    source = to_markdown(stored)
    assert "<" not in source
    assert sanitize(source) == stored


def test_line_breaks_and_bare_links_are_kept():
    stored = sanitize("Ligne un\nLigne deux\n\nhttps://eduscol.education.fr")
    assert stored == (
        "<p>Ligne un<br>Ligne deux</p><p>"
        '<a href="https://eduscol.education.fr" rel="noopener noreferrer nofollow">'
        "https://eduscol.education.fr</a></p>"
    )


def test_a_formatted_post_is_edited_without_any_html():
    stored = '<p><strong>Important</strong> : lire <a href="https://eduscol.education.fr">Éduscol</a></p>'
    assert to_markdown(stored) == "**Important** : lire [Éduscol](https://eduscol.education.fr)"


def test_the_preview_shows_what_would_be_stored_and_stores_nothing(world, api):
    from forums.models import Post

    before = Post.objects.count()
    response = api(world.participant).post("/posts/preview", {"body": "**Bonjour**\nà tous"})
    assert response.status_code == 200
    assert response.json()["body"] == "<p><strong>Bonjour</strong><br>à tous</p>"
    hostile = api(world.participant).post("/posts/preview", {"body": "<script>x()</script>Texte"})
    assert hostile.json()["body"] == "Texte"
    assert Post.objects.count() == before
    assert api(None).post("/posts/preview", {"body": "x"}).status_code == 401
    assert api(world.participant).post("/posts/preview", {"body": ""}).status_code == 422
