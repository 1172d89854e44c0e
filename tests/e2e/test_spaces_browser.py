"""Getting into a space in the browser: an open space is joined, a space "sur demande" is
entered once an animator accepts, an invitation-only one stays out of an outsider's sight;
inside, the space's page leads to its forum, its classes and its resources."""

from datetime import timedelta

import pytest

from collab import resources
from forums import services as forums
from parcours.models import Space
from tests import factories
from tests.browser import log_in, off_loop

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def _space(visibility: str, title: str) -> Space:
    space = factories.space(title=title, visibility=visibility)
    factories.space_member(space, "animator", username="anim", first_name="Anne")
    return space


def test_a_newcomer_joins_an_open_space_and_finds_its_forum_classes_and_resources(daphne, browser):
    from playwright.sync_api import expect

    def world() -> Space:
        space = _space(Space.Visibility.OPEN, "Entre pairs : cycle 3")
        animator = space.memberships.get().user
        forums.create_forum(scope=space.scope, actor=animator, title="Nos séances", kind="standard")
        factories.scheduled_class(space.scope, "Rencontre de rentrée", starts_in=timedelta(days=3))
        resources.share_link(
            actor=animator, scope=space.scope, title="Éduscol", url="https://eduscol.fr/"
        )
        factories.user(username="claire", first_name="Claire")
        return space

    off_loop(world)
    server = daphne()
    claire = log_in(browser, server, "claire")
    claire.get_by_role("link", name="Espaces").click()
    others = claire.locator("#other-spaces")
    expect(others).to_contain_text("Entre pairs : cycle 3")
    others.get_by_role("link", name="Entre pairs : cycle 3").click()
    # Before joining: the summary, nothing of the members' work.
    expect(claire.locator("#space-forums")).to_have_count(0)
    claire.get_by_role("button", name="Rejoindre l'espace").click()
    expect(claire.locator("#space-forums")).to_contain_text("Nos séances")
    expect(claire.locator("#space-classes")).to_contain_text("Rencontre de rentrée")
    expect(claire.locator("#space-resources")).to_contain_text("Éduscol")
    expect(claire.get_by_role("button", name="Rejoindre l'espace")).to_have_count(0)

    # A member shares a link of their own; the forum opens from the space's page.
    claire.fill("#new-link input[name=title]", "Lectures du cycle 3")
    claire.fill("#new-link input[name=url]", "https://lectures.example.org/")
    claire.get_by_role("button", name="Partager un lien").click()
    expect(claire.locator("#space-resources")).to_contain_text("Lectures du cycle 3")
    claire.locator("#space-forums").get_by_role("link", name="Nos séances").click()
    expect(claire.get_by_role("heading", name="Nos séances")).to_be_visible()
    claire.goto("/spaces/")
    expect(claire.locator("#my-spaces")).to_contain_text("Entre pairs : cycle 3")


def test_an_animator_accepts_a_request_and_the_asker_gets_in(daphne, browser):
    from playwright.sync_api import expect

    def world() -> Space:
        space = _space(Space.Visibility.ON_REQUEST, "Néo-titulaires")
        factories.user(username="malik", first_name="Malik", last_name="Benali")
        return space

    space = off_loop(world)
    server = daphne()
    malik = log_in(browser, server, "malik")
    malik.goto(f"/spaces/{space.pk}/")
    expect(malik.get_by_role("button", name="Rejoindre l'espace")).to_have_count(0)
    malik.fill("#ask-to-join input[name=message]", "Je débute en CM1")
    malik.get_by_role("button", name="Demander à rejoindre").click()
    expect(malik.locator("#asked-to-join")).to_be_visible()
    expect(malik.locator("#space-documents")).to_have_count(0)

    anne = log_in(browser, server, "anim")
    anne.goto(f"/spaces/{space.pk}/")
    request = anne.locator("#space-requests li", has_text="Malik Benali")
    expect(request).to_contain_text("Je débute en CM1")
    request.get_by_role("button", name="Accepter").click()
    expect(request).to_have_count(0)

    malik.reload()
    expect(malik.locator("#space-documents")).to_be_visible()
    expect(malik.locator("#asked-to-join")).to_have_count(0)


def test_an_invitation_only_space_stays_out_of_an_outsiders_sight(daphne, browser):
    from playwright.sync_api import expect

    def world() -> Space:
        space = _space(Space.Visibility.INVITATION, "Groupe de pilotage")
        factories.user(username="claire", first_name="Claire")
        return space

    space = off_loop(world)
    server = daphne()
    claire = log_in(browser, server, "claire")
    claire.goto("/spaces/")
    expect(claire.locator("#other-spaces")).to_be_visible()
    expect(claire.get_by_text("Groupe de pilotage")).to_have_count(0)
    response = claire.goto(f"/spaces/{space.pk}/")
    assert response.status == 403
    expect(claire.get_by_text("Groupe de pilotage")).to_have_count(0)
    expect(claire.get_by_role("button", name="Demander à rejoindre")).to_have_count(0)

    anne = log_in(browser, server, "anim")
    anne.goto("/spaces/")
    expect(anne.locator("#my-spaces")).to_contain_text("Groupe de pilotage")
