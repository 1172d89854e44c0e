"""Chromium through a real server: a message shows up live, and again after a cut."""

import pytest

from tests import factories
from tests.services import require_chromium

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture
def browser():
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def open_messages(browser, server, username: str):
    from playwright.sync_api import expect

    context = browser.new_context(base_url=server.url, locale="fr-FR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mes sessions")).to_be_visible()
    page.goto("/messages/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "open")
    return context, page


def write(page, recipient: str, body: str) -> None:
    """Send a message and wait for the sender's own page to show it (their topic echoes it)."""
    from playwright.sync_api import expect

    sent = page.locator("#messages .message p", has_text=body)
    page.get_by_label("Destinataires").select_option(label=recipient)
    page.get_by_label("Message").fill(body)
    page.get_by_role("button", name="Envoyer").click()
    expect(sent).to_have_count(1)
    expect(page.get_by_label("Message")).to_have_value("")


def test_a_message_appears_live_and_the_missed_ones_after_a_reconnection(daphne, world, browser):
    from playwright.sync_api import expect

    server = daphne()
    _, trainer = open_messages(browser, server, "trainer")
    reader_context, reader = open_messages(browser, server, "participant")

    write(trainer, "Participant Test", "Classe virtuelle jeudi à 14 h")
    expect(reader.locator("#messages .message")).to_have_count(1)
    expect(reader.locator("#messages")).to_contain_text("Classe virtuelle jeudi à 14 h")

    # Cut the reader's connection and keep it offline while two more messages go out.
    reader_context.set_offline(True)
    reader.evaluate("window.preauRealtime.socket.close()")
    expect(reader.locator("#live-status")).not_to_have_attribute("data-state", "open")
    write(trainer, "Participant Test", "Pensez au questionnaire")
    write(trainer, "Participant Test", "Le support est en ligne")
    expect(trainer.locator("#messages .message")).to_have_count(3)
    expect(reader.locator("#messages .message")).to_have_count(1)

    reader_context.set_offline(False)
    expect(reader.locator("#live-status")).to_have_attribute("data-state", "open")
    expect(reader.locator("#messages .message")).to_have_count(3)
    texts = reader.locator("#messages .message p").all_inner_texts()
    assert texts == [
        "Le support est en ligne",
        "Pensez au questionnaire",
        "Classe virtuelle jeudi à 14 h",
    ]
