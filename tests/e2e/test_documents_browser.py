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


def test_two_browsers_typing_in_one_document_see_each_other(daphne, shared, browser, bundle):
    from playwright.sync_api import expect

    server = daphne()
    claire = log_in(browser, server, "claire")
    malik = log_in(browser, server, "malik")
    for page in (claire, malik):
        page.goto(f"/documents/{shared.pk}/")
        expect(page.locator("#doc-editor")).to_have_attribute("data-status", "synced")
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
