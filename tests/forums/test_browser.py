"""Chromium through a real server: a trainer pins, locks and edits while a participant's
open page follows; the participant's like and reply show on the trainer's page.

The discussion comes from the `board` fixture, built before Playwright's event loop starts."""

import pytest

from tests.browser import log_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_moderation_likes_and_replies_show_live_on_open_pages(daphne, world, board, browser):
    from playwright.sync_api import expect

    server = daphne()
    url = f"/forums/discussions/{board.discussion.pk}/"

    participant = log_in(browser, server, "participant")
    participant.goto(url)
    trainer = log_in(browser, server, "trainer")
    trainer.goto(url)
    for page in (participant, trainer):
        expect(page.locator("#live-status")).to_have_text("En direct")
    # Each sees how many others are reading, from live presence: a count, never a name.
    for page in (participant, trainer):
        expect(page.locator("#readers")).to_have_text(
            "1 autre personne lit cette discussion en ce moment."
        )
    assert "Participant Test" not in trainer.locator("#readers").inner_text()
    expect(participant.locator("#pinned-badge")).to_be_hidden()
    expect(participant.locator("#reply-form")).to_be_visible()

    trainer.get_by_role("button", name="Épingler").click()
    trainer.get_by_role("button", name="Verrouiller").click()
    # The participant's page was not reloaded: both came over `discussion:<id>`.
    expect(participant.locator("#pinned-badge")).to_be_visible()
    expect(participant.locator("#locked-badge")).to_be_visible()
    expect(participant.locator("#reply-form")).to_be_hidden()
    expect(participant.locator("#locked-note")).to_be_visible()

    expect(trainer.get_by_role("button", name="Désépingler")).to_be_visible()
    trainer.get_by_role("button", name="Déverrouiller").click()
    expect(trainer.get_by_role("button", name="Verrouiller", exact=True)).to_be_visible()
    expect(participant.locator("#reply-form")).to_be_visible()

    reply = f"#post-{board.reply.pk}"
    expect(trainer.locator(f"{reply} .like-count")).to_have_text("0")
    participant.locator(f"{reply} button.like").click()
    expect(participant.locator(f"{reply} button.like")).to_have_attribute("aria-pressed", "true")
    expect(trainer.locator(f"{reply} .like-count")).to_have_text("1")

    trainer.locator(f"{reply} button.edit").click()
    trainer.fill(f"{reply} form.edit-form textarea", "Je questionne mes élèves.")
    trainer.get_by_role("button", name="Enregistrer").click()
    expect(participant.locator(f"{reply} .post-body")).to_have_text("Je questionne mes élèves.")
    expect(participant.locator(f"{reply} .edited")).to_have_text("modifié par la modération")

    participant.fill("#reply-form textarea[name=body]", "Merci pour l'épinglage !")
    participant.get_by_role("button", name="Publier").click()
    expect(trainer.locator(".post", has_text="Merci pour l'épinglage !")).to_be_visible()
    expect(participant.locator(".post", has_text="Merci pour l'épinglage !")).to_have_count(1)

    participant.close()
    expect(trainer.locator("#readers")).to_be_hidden()


@pytest.fixture
def rich_post(world, board):
    from forums import services

    return services.reply(
        discussion=board.discussion,
        author=world.participant,
        body='<p><strong>Important</strong> : lire <a href="https://eduscol.education.fr">Éduscol</a></p>',
    )


def test_editing_a_formatted_post_keeps_its_formatting(daphne, world, board, rich_post, browser):
    from playwright.sync_api import expect

    server = daphne()
    page = log_in(browser, server, "participant")
    page.goto(f"/forums/discussions/{board.discussion.pk}/")
    post = page.locator(f"#post-{rich_post.pk}")
    post.locator("button.edit").click()
    area = post.locator("form.edit-form textarea")
    # Edited as the Markdown its author would have typed, not as raw HTML.
    expect(area).to_have_value("**Important** : lire [Éduscol](https://eduscol.education.fr)")
    area.fill(area.input_value().replace("lire", "relire"))
    post.get_by_role("button", name="Enregistrer").click()
    expect(post.locator(".post-body strong")).to_have_text("Important")
    expect(post.locator(".post-body a")).to_have_text("Éduscol")
    expect(post.locator(".post-body")).to_contain_text("relire")


def test_a_private_reply_shows_live_to_trainers_and_is_never_fetched_by_others(
    daphne, world, board, browser
):
    from playwright.sync_api import expect

    server = daphne()
    url = f"/forums/discussions/{board.discussion.pk}/"
    pages = {name: log_in(browser, server, name) for name in ("participant", "participant2")}
    pages["trainer"] = log_in(browser, server, "trainer")
    fetched: list[str] = []
    pages["participant2"].on(
        "request",
        lambda request: "/forums/messages/" in request.url and fetched.append(request.url),
    )
    for page in pages.values():
        page.goto(url)
        expect(page.locator("#live-status")).to_have_text("En direct")

    author = pages["participant"]
    author.fill("#reply-form textarea[name=body]", "Seulement pour la formatrice")
    author.check("#reply-form input[name=private]")
    author.get_by_role("button", name="Publier").click()
    expect(
        pages["trainer"].locator(".post", has_text="Seulement pour la formatrice")
    ).to_be_visible()
    # A public reply after it reaches everyone: the other participant's page is live.
    pages["trainer"].fill("#reply-form textarea[name=body]", "Réponse publique")
    pages["trainer"].get_by_role("button", name="Publier").click()
    expect(pages["participant2"].locator(".post", has_text="Réponse publique")).to_be_visible()
    expect(pages["participant2"].locator(".post", has_text="Seulement pour")).to_have_count(0)
    assert len(fetched) == 1, fetched  # the public reply only
