"""Chromium: a trainer writes an anonymous questionnaire, participants are told it is
anonymous before answering, and the results the trainer reads name nobody."""

import pytest

from tests import factories
from tests.browser import log_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


@pytest.fixture(autouse=True)
def orm_beside_playwright(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_an_anonymous_questionnaire_from_writing_to_results(daphne, world, browser):
    from playwright.sync_api import expect

    third = factories.member(world.session, "participant", username="troisieme").user
    server = daphne()
    trainer = log_in(browser, server, "trainer")
    trainer.goto(f"/sessions/{world.session.pk}/")
    trainer.get_by_role("link", name="Questionnaires").click()
    form = trainer.locator("#questionnaire-form")
    form.get_by_label("Titre").fill("Quiz de positionnement")
    first = form.locator("li.question").nth(0)
    first.get_by_label("Question").fill("Votre niveau ?")
    first.get_by_label("Choix proposés").fill("Débutant\nConfirmé")
    form.get_by_role("button", name="Ajouter une question").click()
    second = form.locator("li.question").nth(1)
    second.get_by_label("Question").fill("Une attente ?")
    second.get_by_label("Type de réponse").select_option("text")
    form.get_by_role("button", name="Créer le questionnaire").click()
    expect(trainer.get_by_role("heading", name="Quiz de positionnement")).to_be_visible()
    url = trainer.url

    for username, level, hope in [
        ("participant", "Débutant", "Des albums"),
        ("participant2", "Confirmé", "Questionner"),
        ("troisieme", "Confirmé", "Tout"),
    ]:
        page = log_in(browser, server, username)
        page.goto(url)
        expect(page.locator("#anonymity")).to_contain_text("Questionnaire anonyme")
        page.get_by_label(level).check()
        page.get_by_label("Une attente ?").fill(hope)
        page.get_by_role("button", name="Envoyer mes réponses").click()
        expect(page.locator("#thanks")).to_be_visible()
        page.context.close()

    trainer.reload()
    results = trainer.locator("#results")
    expect(results).to_contain_text("3 réponses")
    expect(results.locator("tr", has_text="Confirmé").locator(".count")).to_have_text("2")
    expect(results.locator(".texts li")).to_have_text(["Des albums", "Questionner", "Tout"])
    for name in ("Participant Test", "Participant2 Test", third.get_full_name()):
        expect(results).not_to_contain_text(name)
    exported = trainer.request.get(url.replace("/questionnaires/", "/api/v1/questionnaires/")
                                   .rstrip("/") + "/results.csv")  # fmt: skip
    assert exported.status == 200
    assert "Participant" not in exported.text()
