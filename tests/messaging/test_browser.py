"""Chromium through a real server: a message shows up live, and again after a cut."""

import pytest

from tests.browser import log_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def open_messages(browser, server, username: str):
    """The messages page once live, with its context: the test takes that context offline."""
    from playwright.sync_api import expect

    page = log_in(browser, server, username)
    page.goto("/messages/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "open")
    return page.context, page


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
