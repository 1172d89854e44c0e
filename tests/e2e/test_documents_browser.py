"""Two people type in one document, each in their own browser, and read each other."""

import subprocess
from pathlib import Path

import pytest

from collab.models import Document
from parcours.models import Space
from tests import factories
from tests.browser import log_in, off_loop

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "web" / "static" / "build" / "collab-doc.js"


@pytest.fixture(scope="module")
def bundle():
    """The editor's bundle, built as `make test` builds it when a run started without it."""
    if not BUNDLE.exists():
        subprocess.run(["make", "bundle"], cwd=ROOT, check=True, capture_output=True)
    return BUNDLE


@pytest.fixture
def shared(db):
    space = factories.space(title="Entre pairs : projet", visibility=Space.Visibility.OPEN)
    factories.space_member(space, "member", username="claire", first_name="Claire")
    factories.space_member(space, "member", username="malik", first_name="Malik")
    return Document.objects.create(scope=space.scope, title="Projet commun")


def _both_on(server, browser, document: Document):
    """Claire's and Malik's pages on `document`, each synced with the server."""
    from playwright.sync_api import expect

    pages = [log_in(browser, server, name) for name in ("claire", "malik")]
    for page in pages:
        page.goto(f"/documents/{document.pk}/")
        expect(page.locator("#doc-editor")).to_have_attribute("data-status", "synced")
    return pages


def test_two_browsers_typing_in_one_document_see_each_other(daphne, shared, browser, bundle):
    from playwright.sync_api import expect

    claire, malik = _both_on(daphne(), browser, shared)
    claire.locator("#doc-editor .ProseMirror").click()
    claire.keyboard.type("Claire écrit ici. ")
    malik_editor = malik.locator("#doc-editor .ProseMirror")
    expect(malik_editor).to_contain_text("Claire écrit ici.")
    malik_editor.click()
    malik.keyboard.press("End")
    malik.keyboard.type("Malik répond.")
    expect(claire.locator("#doc-editor .ProseMirror")).to_contain_text(
        "Claire écrit ici. Malik répond."
    )
    # Each sees the other among the people present (awareness).
    expect(claire.locator("#doc-people")).to_contain_text("Malik")
    expect(malik.locator("#doc-people")).to_contain_text("Claire")

    # A document the animators reserved: members read it, their editor takes no typing.
    reserved = off_loop(
        lambda: Document.objects.create(scope=shared.scope, title="Consigne", reserved=True)
    )
    malik.goto(f"/documents/{reserved.pk}/")
    expect(malik.locator("#doc-editor")).to_have_attribute("data-status", "synced")
    expect(malik.locator("#doc-editor .ProseMirror")).to_have_attribute("contenteditable", "false")
    expect(malik.get_by_text("lecture seule")).to_be_visible()


def test_restoring_a_named_version_brings_every_open_page_back_to_it(
    daphne, shared, browser, bundle
):
    from playwright.sync_api import expect

    claire, malik = _both_on(daphne(), browser, shared)
    claire.locator("#doc-editor .ProseMirror").click()
    claire.keyboard.type("Plan validé en conseil de cycle.")
    expect(malik.locator("#doc-editor .ProseMirror")).to_contain_text("Plan validé")
    claire.fill("#doc-version-form input[name=name]", "Après le conseil")
    claire.get_by_role("button", name="Enregistrer une version").click()
    version = claire.locator("#doc-versions li", has_text="Après le conseil")
    expect(version).to_be_visible()
    expect(claire.locator("#doc-editor")).to_have_attribute("data-status", "synced")

    # Malik rewrites the text; then Claire restores the version, Malik's page follows.
    malik_editor = malik.locator("#doc-editor .ProseMirror")
    malik_editor.click()
    malik.keyboard.press("Control+a")
    malik.keyboard.type("Tout est à refaire.")
    claire_editor = claire.locator("#doc-editor .ProseMirror")
    expect(claire_editor).to_contain_text("Tout est à refaire.")
    expect(claire_editor).not_to_contain_text("Plan validé")
    version.get_by_role("button", name="Restaurer").click()
    for editor in (claire_editor, malik_editor):
        # (The other person's cursor shows their name inside the text.)
        expect(editor).to_contain_text("Plan validé en conseil de cycle.")
        expect(editor).not_to_contain_text("Tout est à refaire.")
    # The restored text is the document's: a page opened now reads it too.
    malik.reload()
    expect(malik.locator("#doc-editor")).to_have_attribute("data-status", "synced")
    expect(malik_editor).to_contain_text("Plan validé en conseil de cycle.")
    expect(malik_editor).not_to_contain_text("Tout est à refaire.")
