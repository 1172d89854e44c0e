"""Chromium through a real server: writing in a forum (Markdown with a preview, line breaks
and links kept, edited as Markdown), and what a hidden post still offers.

The discussion comes from the `board` fixture, built before Playwright's event loop starts."""

import pytest

from tests.browser import log_in, off_loop

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_a_post_keeps_its_line_breaks_and_links_and_is_edited_as_markdown(
    daphne, world, board, browser
):
    from playwright.sync_api import expect

    server = daphne()
    page = log_in(browser, server, "participant")
    page.goto(f"/forums/discussions/{board.discussion.pk}/")
    form = page.locator("#reply-form")
    area = form.get_by_label("Message")
    area.fill("Première ligne\nDeuxième ligne\n\nVoir https://eduscol.education.fr et ")
    area.press("End")
    form.get_by_role("button", name="Gras").click()
    expect(area).to_have_value(
        "Première ligne\nDeuxième ligne\n\nVoir https://eduscol.education.fr et **texte en gras**"
    )
    form.get_by_role("button", name="Aperçu").click()
    preview = form.locator(".editor-preview")
    expect(preview.locator("strong")).to_have_text("texte en gras")
    expect(preview.get_by_role("link", name="https://eduscol.education.fr")).to_be_visible()
    expect(area).to_be_hidden()
    form.get_by_role("button", name="Aperçu").click()
    expect(area).to_be_visible()
    form.get_by_role("button", name="Publier").click()

    post = page.locator("#posts .post").last
    body = post.locator(".post-body")
    expect(body.locator("br")).to_have_count(1)
    expect(body.locator("p")).to_have_count(2)
    expect(body).to_contain_text("Première ligne")
    link = body.get_by_role("link", name="https://eduscol.education.fr")
    expect(link).to_have_attribute("href", "https://eduscol.education.fr")

    post.get_by_role("button", name="Modifier").click()
    edit = post.locator("form.edit-form textarea")
    expect(edit).to_have_value(
        "Première ligne\nDeuxième ligne\n\nVoir https://eduscol.education.fr et **texte en gras**"
    )
    edit.fill(edit.input_value().replace("Deuxième", "Seconde"))
    post.get_by_role("button", name="Enregistrer").click()
    expect(body).to_contain_text("Seconde ligne")
    expect(body.locator("strong")).to_have_text("texte en gras")
    expect(body.get_by_role("link", name="https://eduscol.education.fr")).to_be_visible()
    expect(body).not_to_contain_text("**")


def test_a_hidden_post_offers_no_reply_nor_quote_and_like_tooltips_name_the_likers_live(
    daphne, world, board, browser
):
    from playwright.sync_api import expect

    from forums import moderation

    off_loop(
        lambda: moderation.set_hidden(
            post=board.reply, actor=world.trainer, hidden=True, reason="Hors sujet"
        )
    )
    server = daphne()
    page = log_in(browser, server, "participant")
    page.goto(f"/forums/discussions/{board.discussion.pk}/")
    hidden = page.locator(f"#post-{board.reply.pk}")
    expect(hidden).to_contain_text("Message masqué par la modération.")
    expect(hidden.get_by_role("button", name="Répondre")).to_have_count(0)
    expect(hidden.get_by_role("button", name="Citer")).to_have_count(0)
    opening = page.locator(f"#post-{board.opening.pk}")
    expect(opening.get_by_role("button", name="Répondre")).to_be_visible()

    # Someone else likes the participant's opening post: the count and the names follow.
    like = opening.locator("button.like")
    expect(like).to_have_attribute("title", "")
    other = log_in(browser, server, "participant2")
    other.goto(f"/forums/discussions/{board.discussion.pk}/")
    other.locator(f"#post-{board.opening.pk} button.like").click()
    expect(like.locator(".like-count")).to_have_text("1")
    expect(like).to_have_attribute("title", "Participant2 Test")


def test_an_edit_under_way_survives_the_post_changing_in_another_tab(daphne, world, board, browser):
    from playwright.sync_api import expect

    server = daphne()
    here = log_in(browser, server, "participant")
    here.goto(f"/forums/discussions/{board.discussion.pk}/")
    form = here.locator("#reply-form")
    form.get_by_label("Message").fill("Version une")
    form.get_by_role("button", name="Publier").click()
    post = here.locator("#posts .post").last
    expect(post.locator(".post-body")).to_contain_text("Version une")

    post.get_by_role("button", name="Modifier").click()
    draft = post.locator("form.edit-form textarea")
    draft.fill("Un brouillon en cours")

    # The same author changes the post from another tab: the live event brings a fresh copy.
    there = log_in(browser, server, "participant")
    there.goto(f"/forums/discussions/{board.discussion.pk}/")
    other = there.locator("#posts .post").last
    other.get_by_role("button", name="Modifier").click()
    other.locator("form.edit-form textarea").fill("Version deux")
    other.get_by_role("button", name="Enregistrer").click()
    expect(other.locator(".post-body")).to_contain_text("Version deux")

    expect(post.locator("form.edit-form")).to_have_count(1)
    expect(post.locator(".post-body")).to_be_hidden()
    expect(draft).to_have_value("Un brouillon en cours")
    expect(post.locator(".post-body")).to_contain_text("Version deux")
    post.get_by_role("button", name="Annuler").click()
    expect(post.locator("form.edit-form")).to_have_count(0)
    expect(post.locator(".post-body")).to_be_visible()
    expect(post.locator(".post-body")).to_have_text("Version deux")
    here.context.close()
    there.context.close()


def test_ones_own_new_reply_is_fetched_once_and_stays_under_the_pointer(
    daphne, world, board, browser
):
    """The reply's submit and its live event both announce it: one copy is fetched and
    shown, not a second one replacing the first (which swallowed a click on "Modifier")."""
    from playwright.sync_api import expect

    server = daphne()
    page = log_in(browser, server, "participant")
    page.goto(f"/forums/discussions/{board.discussion.pk}/")
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if "/forums/messages/" in r.url else None)
    form = page.locator("#reply-form")
    form.get_by_label("Message").fill("Ma réponse")
    form.get_by_role("button", name="Publier").click()
    mine = page.locator("#posts .post").last
    expect(mine.locator(".post-body")).to_have_text("Ma réponse")
    post_id = mine.get_attribute("data-post")
    # Someone answers after: once their reply shows, this page has handled the live event
    # of its own reply, which came first on the topic.
    other = log_in(browser, server, "participant2")
    other.goto(f"/forums/discussions/{board.discussion.pk}/")
    other.locator("#reply-form").get_by_label("Message").fill("Et moi ensuite")
    other.locator("#reply-form").get_by_role("button", name="Publier").click()
    expect(page.locator("#posts .post").last.locator(".post-body")).to_have_text("Et moi ensuite")
    assert [url for url in fetched if f"/forums/messages/{post_id}/" in url] != []
    assert len([url for url in fetched if f"/forums/messages/{post_id}/" in url]) == 1
    page.context.close()
    other.context.close()
