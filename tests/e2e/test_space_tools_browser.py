"""A word cloud and a mind map built live by people in their own browsers."""

import re

import pytest

from collab import wordclouds
from collab.models import Document
from parcours.models import Space
from tests import factories
from tests.browser import log_in, off_loop
from tests.e2e.test_documents_browser import bundle  # noqa: F401  (fixture)

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


@pytest.fixture
def space(db):
    space = factories.space(title="Entre pairs : lecture", visibility=Space.Visibility.OPEN)
    factories.space_member(space, "animator", username="anim", first_name="Anne")
    factories.space_member(space, "member", username="claire", first_name="Claire")
    factories.space_member(space, "member", username="malik", first_name="Malik")
    return space


def test_words_appear_live_for_everyone_and_a_hidden_word_leaves_the_members_cloud(
    daphne, space, browser
):
    from playwright.sync_api import expect

    cloud = off_loop(
        lambda: wordclouds.create_cloud(
            actor=space.memberships.get(role="animator").user, scope=space.scope, question="Q ?"
        )
    )
    server = daphne()
    claire = log_in(browser, server, "claire")
    malik = log_in(browser, server, "malik")
    anne = log_in(browser, server, "anim")
    for page in (claire, malik, anne):
        page.goto(f"/wordclouds/{cloud.pk}/")
        expect(page.locator("#wordcloud")).to_be_visible()
    claire.fill("#word-form input[name=word]", "Plaisir")
    claire.get_by_role("button", name="Ajouter").click()
    expect(malik.locator(".cloud .word[data-normal=plaisir]")).to_have_attribute("data-count", "1")
    malik.fill("#word-form input[name=word]", "plaisirs")
    malik.get_by_role("button", name="Ajouter").click()
    expect(claire.locator(".cloud .word[data-normal=plaisir]")).to_have_attribute("data-count", "2")
    malik.fill("#word-form input[name=word]", "ennui")
    malik.get_by_role("button", name="Ajouter").click()
    ennui = anne.locator(".cloud .word[data-normal=ennui]")
    expect(ennui).to_be_visible()
    ennui.get_by_role("button", name="Masquer").click()
    expect(claire.locator(".cloud .word[data-normal=ennui]")).to_have_count(0)
    expect(anne.locator(".cloud .word[data-normal=ennui]")).to_have_class("word hidden-word")


def test_a_word_typed_while_the_previous_one_is_on_its_way_is_kept(daphne, space, browser):
    from playwright.sync_api import expect

    cloud = off_loop(
        lambda: wordclouds.create_cloud(
            actor=space.memberships.get(role="animator").user, scope=space.scope, question="Q ?"
        )
    )
    server = daphne()
    malik = log_in(browser, server, "malik")
    malik.goto(f"/wordclouds/{cloud.pk}/")
    expect(malik.locator("#wordcloud")).to_be_visible()
    held = []
    malik.route(re.compile(r".*/api/v1/wordclouds/\d+/words$"), lambda route: held.append(route))
    box = malik.locator("#word-form input[name=word]")
    box.fill("Lenteur")
    malik.get_by_role("button", name="Ajouter").click()
    while not held:  # the first word is on its way, its answer not back yet
        malik.wait_for_timeout(20)
    box.fill("ennui")
    held[0].continue_()
    malik.unroute(re.compile(r".*/api/v1/wordclouds/\d+/words$"))
    expect(malik.locator(".cloud .word[data-normal=lenteur]")).to_be_visible()
    expect(box).to_have_value("ennui")
    malik.get_by_role("button", name="Ajouter").click()
    expect(malik.locator(".cloud .word[data-normal=ennui]")).to_be_visible()
    expect(box).to_have_value("")


def test_two_people_build_one_mind_map_live(daphne, space, browser, bundle):  # noqa: F811
    from playwright.sync_api import expect

    document = off_loop(
        lambda: Document.objects.create(scope=space.scope, title="Lire", kind="mindmap")
    )
    server = daphne()
    claire = log_in(browser, server, "claire")
    malik = log_in(browser, server, "malik")
    for page in (claire, malik):
        page.goto(f"/documents/{document.pk}/")
        expect(page.locator("#mindmap")).to_have_attribute("data-status", "synced")

    def add(page, under: str, label: str) -> None:
        page.once("dialog", lambda dialog: dialog.accept(label))
        item = page.locator(f"li[data-node-id='{under}']").first
        item.locator(":scope > button", has_text="+").click()

    def node_of(page, label: str):
        """The item of the node labelled `label` (other items name it in their menus)."""
        return page.locator(".mindmap .label", has_text=re.compile(f"^{label}$")).locator("..")

    add(claire, "root", "Albums")
    node = malik.locator(".mindmap li", has_text="Albums").last
    expect(node).to_be_visible()
    node_id = node.get_attribute("data-node-id")
    add(malik, node_id, "Contes")
    expect(claire.locator(f"li[data-node-id='{node_id}'] li .label")).to_have_text("Contes")

    # Claire moves "Contes" up to the root, beside "Albums": Malik's map shows it there.
    add(claire, "root", "Romans")
    contes, romans = node_of(claire, "Contes"), node_of(claire, "Romans")
    expect(romans).to_be_visible()
    contes_id, romans_id = (
        contes.get_attribute("data-node-id"),
        romans.get_attribute("data-node-id"),
    )
    contes.locator(":scope > select").select_option(romans_id)
    moved = malik.locator(f"li[data-node-id='{romans_id}'] li[data-node-id='{contes_id}']")
    expect(moved).to_be_visible()
    expect(malik.locator(f"li[data-node-id='{node_id}'] li")).to_have_count(0)

    claire.locator(f"li[data-node-id='{node_id}'] > button", has_text="Supprimer").click()
    expect(malik.locator(".mindmap .label", has_text="Albums")).to_have_count(0)
    expect(malik.locator(".mindmap .label", has_text="Romans")).to_be_visible()
    expect(malik.locator(f"li[data-node-id='{contes_id}']")).to_be_visible()
