"""Chromium through a real server: a trainer says how her role is written, and her pages
say "formatrice" where they said the neutral "formateur·rice"."""

import pytest

from tests.browser import log_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_a_trainer_chooses_how_her_role_is_written(daphne, world, browser):
    from playwright.sync_api import expect

    server = daphne()
    page = log_in(browser, server, "trainer")
    badge = page.locator(".cards .badge").first
    expect(badge).to_have_text("formateur·rice")
    page.get_by_text("Comment écrire votre rôle").click()
    page.get_by_label("Votre rôle s'écrit").select_option(label="au féminin (formatrice)")
    page.get_by_role("button", name="Enregistrer").click()
    expect(badge).to_have_text("formatrice")

    page.goto(f"/sessions/{world.session.pk}/")
    row = page.locator("#members tr", has_text="Trainer Test")
    expect(row.locator("td").nth(1)).to_have_text("formatrice")
