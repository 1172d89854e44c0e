"""Chromium through a real server: two people converse on the messages page, the recipients
picked from the keyboard, replies showing live, and the missed ones after a cut."""

import pytest

from tests.browser import log_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def open_page(browser, server, username: str, path: str = "/messages/"):
    """A messages page once live, with its context: a test may take that context offline."""
    from playwright.sync_api import expect

    page = log_in(browser, server, username)
    page.goto(path)
    expect(page.locator("#live-status")).to_have_attribute("data-state", "open")
    return page.context, page


def reply(page, body: str) -> None:
    """Answer in place and wait for one's own page to show it."""
    from playwright.sync_api import expect

    page.locator("#reply textarea").fill(body)
    page.get_by_role("button", name="Répondre").click()
    expect(page.locator("#messages .message .body", has_text=body)).to_have_count(1)
    expect(page.locator("#reply textarea")).to_have_value("")


def bodies(page) -> list[str]:
    return page.locator("#messages .message .body").all_inner_texts()


def test_two_people_converse_with_recipients_picked_from_the_keyboard(daphne, world, browser):
    from playwright.sync_api import expect

    server = daphne()
    _, trainer = open_page(browser, server, "trainer")
    _, reader = open_page(browser, server, "participant")

    # The trainer picks a recipient with the keyboard only: type, arrows, Enter.
    search = trainer.get_by_role("combobox", name="Destinataires")
    search.focus()
    trainer.keyboard.type("parti")
    people = trainer.get_by_role("listbox", name="Personnes")
    expect(people.get_by_role("option")).to_have_text(["Participant Test", "Participant2 Test"])
    trainer.keyboard.press("ArrowDown")
    expect(people.get_by_role("option", selected=True)).to_have_text("Participant2 Test")
    trainer.keyboard.press("ArrowUp")
    trainer.keyboard.press("Enter")
    expect(search).to_have_attribute("aria-expanded", "false")
    expect(trainer.locator("#recipients-chosen .chip span")).to_have_text(["Participant Test"])
    expect(trainer.get_by_role("button", name="Retirer Participant Test")).to_be_visible()
    trainer.keyboard.press("Tab")  # "Toute la session", offered to trainers
    trainer.keyboard.press("Tab")
    trainer.keyboard.type("Classe virtuelle jeudi à 14 h")
    trainer.keyboard.press("Tab")
    trainer.keyboard.press("Enter")

    # One recipient: the trainer lands in the conversation, the message says to whom it went.
    title = trainer.get_by_role("heading", name="Conversation avec Participant Test")
    expect(title).to_be_visible()
    sent = trainer.locator("#messages .message").first
    expect(sent).to_contain_text("À : Participant Test")
    expect(sent).to_contain_text("Session Rouen Nord")
    expect(trainer.locator("#live-status")).to_have_attribute("data-state", "open")

    # A participant writes to one person at a time: no "whole session" for them.
    expect(reader.get_by_role("combobox", name="Destinataires")).to_be_visible()
    expect(reader.locator("#pick-all")).to_be_hidden()

    # The participant's list of conversations shows it live; they open it and answer in place.
    entry = reader.locator("#conversations a", has_text="Trainer Test")
    expect(entry).to_contain_text("Classe virtuelle jeudi à 14 h")
    entry.click()
    expect(reader.locator("#live-status")).to_have_attribute("data-state", "open")
    expect(reader.locator("#reply-context")).to_have_text(
        "Réponse dans la session « Session Rouen Nord »"
    )
    reply(reader, "Je serai là.\nAvec mes questions.")

    answer = trainer.locator("#messages .message", has_text="Je serai là.")
    expect(answer).to_contain_text("À : vous")
    expect(answer).to_contain_text("En réponse à : Classe virtuelle jeudi à 14 h")
    expect(answer.locator(".body")).to_have_text("Je serai là.\nAvec mes questions.")
    reply(trainer, "Parfait, à jeudi")
    expect(reader.locator("#messages .message .body")).to_have_text(
        ["Classe virtuelle jeudi à 14 h", "Je serai là.\nAvec mes questions.", "Parfait, à jeudi"]
    )
    assert bodies(trainer) == bodies(reader)


def test_replies_missed_during_a_cut_arrive_in_order_after_it(daphne, world, api, browser):
    from playwright.sync_api import expect

    from messaging import services
    from tests.browser import off_loop

    off_loop(
        lambda: services.send_message(
            sender=world.trainer,
            session=world.session,
            recipient_ids=[world.participant.pk],
            body="Classe virtuelle jeudi à 14 h",
        )
    )
    server = daphne()
    _, trainer = open_page(browser, server, "trainer", f"/messages/{world.participant.pk}/")
    reader_context, reader = open_page(
        browser, server, "participant", f"/messages/{world.trainer.pk}/"
    )

    # Cut the reader's connection and keep it offline while two more messages go out.
    reader_context.set_offline(True)
    reader.evaluate("window.preauRealtime.socket.close()")
    expect(reader.locator("#live-status")).not_to_have_attribute("data-state", "open")
    reply(trainer, "Pensez au questionnaire")
    reply(trainer, "Le support est en ligne")
    assert bodies(reader) == ["Classe virtuelle jeudi à 14 h"]

    reader_context.set_offline(False)
    expect(reader.locator("#live-status")).to_have_attribute("data-state", "open")
    expect(reader.locator("#messages .message .body")).to_have_text(
        ["Classe virtuelle jeudi à 14 h", "Pensez au questionnaire", "Le support est en ligne"]
    )
