"""The demo's space: a document, a mind map, a word cloud and a link, once."""

import io

from django.core.management import call_command
from django.test import Client

from collab import documents, mindmaps, richtext
from collab.models import Document, Resource, WordCloud
from parcours.models import Space


def test_the_demo_space_has_its_tools_and_seeding_again_adds_nothing(db, settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    space = Space.objects.get(session__isnull=False)
    notes = Document.objects.get(scope=space.scope, kind="text")
    assert "Lire à voix haute" in richtext.plain_text(documents.load_doc(notes))
    ideas = Document.objects.get(scope=space.scope, kind="mindmap")
    outline = mindmaps.outline(documents.load_doc(ideas), ideas.title, "markdown")
    assert "  - Lecture offerte" in outline
    cloud = WordCloud.objects.get()
    assert cloud.entries.filter(normal="plaisir").count() == 2
    assert Resource.objects.count() == 1
    client = Client()
    client.login(username="participant02", password="preau-demo")
    page = client.get(f"/spaces/{space.pk}/").content.decode()
    assert "Notes communes" in page and "Enseigner la lecture" in page
