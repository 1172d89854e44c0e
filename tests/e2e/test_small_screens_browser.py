"""Chromium through a real server: the pages fit a phone (390 px) and a laptop (1280 px)."""

import pytest

from tests.browser import log_in, off_loop, page_width

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

PHONE = 390


def test_on_a_phone_the_navigation_folds_behind_a_menu_button_and_nothing_scrolls_sideways(
    daphne, world, browser
):
    from playwright.sync_api import expect

    session_id = world.session.pk
    server = daphne()
    page = log_in(browser, server, "trainer", width=PHONE)

    menu = page.get_by_role("button", name="Menu")
    logout = page.get_by_role("button", name="Se déconnecter")
    messages = page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Messages"
    )
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(logout).to_be_hidden()
    expect(messages).to_be_hidden()
    assert page_width(page) == PHONE

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    for control in (messages, logout, page.get_by_role("button", name="Notifications")):
        expect(control).to_be_visible()
        box = control.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE
    page.keyboard.press("Escape")
    expect(messages).to_be_hidden()
    expect(menu).to_be_focused()

    menu.click()
    messages.click()
    expect(page.get_by_role("heading", name="Messages", exact=True)).to_be_visible()
    assert page_width(page) == PHONE

    # The trainer's session page: activities, progress table, members: all within the screen.
    page.goto(f"/sessions/{session_id}/")
    expect(page.get_by_role("heading", name="Session Rouen Nord")).to_be_visible()
    expect(page.locator("#progress tbody tr")).to_have_count(2)
    assert page_width(page) == PHONE


def test_on_a_laptop_the_finish_buttons_stay_inside_the_progress_card(daphne, world, browser):
    from playwright.sync_api import expect

    def long_names() -> None:
        for user in (world.participant, world.other_participant):
            user.first_name, user.last_name = "Marie-Christine", "Lefèvre-Dubois de la Roche"
            user.save()

    off_loop(long_names)
    server = daphne()
    page = log_in(browser, server, "trainer")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    page.goto(f"/sessions/{world.session.pk}/")
    card = page.locator("#progress").bounding_box()
    buttons = page.get_by_role("button", name="Marquer terminée")
    expect(buttons).to_have_count(2)
    for index in range(2):
        box = buttons.nth(index).bounding_box()
        assert card["x"] <= box["x"] and box["x"] + box["width"] <= card["x"] + card["width"]
    assert page_width(page) == 1280
