"""Chromium through a real server: a participant ticks an activity, the trainer sees it."""

import pytest
from django.utils import timezone

from tests.browser import log_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_a_participant_ticks_an_activity_and_the_trainer_sees_the_bar_move(daphne, world, browser):
    from playwright.sync_api import expect

    participant_id = world.participant.pk
    today = timezone.localdate().strftime("%d/%m/%Y")
    server = daphne()

    page = log_in(browser, server, "participant")
    page.get_by_role("link", name="Session Rouen Nord").click()
    expect(page.get_by_role("heading", name="Session Rouen Nord")).to_be_visible()
    bar = page.locator("#progress .bar")
    expect(bar).to_have_count(1)  # only their own bar
    expect(bar).to_have_attribute("aria-valuenow", "0")
    expect(page.locator(".trainer-only")).to_have_count(0)
    page.get_by_label("Activité 1").check()
    expect(bar).to_have_attribute("aria-valuenow", "25")
    expect(page.locator("#progress .percent")).to_have_text("25 %")
    page.reload()
    expect(page.get_by_label("Activité 1")).to_be_checked()
    expect(page.locator("#progress .bar")).to_have_attribute("aria-valuenow", "25")

    trainer = log_in(browser, server, "trainer")
    trainer.goto(f"/sessions/{world.session.pk}/")
    row = trainer.locator(f'#progress tr[data-user="{participant_id}"]')
    expect(row.locator(".bar")).to_have_attribute("aria-valuenow", "25")
    expect(row).to_contain_text("25 %")
    expect(row).to_contain_text(today)
    expect(trainer.locator("#progress tbody tr")).to_have_count(2)
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept()

    trainer.once("dialog", answer)
    row.get_by_role("button", name="Marquer terminée").click()
    link = row.get_by_role("link", name="attestation")
    expect(link).to_be_visible()
    assert "ne peut pas être annulé" in asked[0]
    href = link.get_attribute("href")
    assert href.startswith("/api/v1/attestations/") and href.endswith(".pdf")
    pdf = trainer.request.get(href)
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
    trainer.reload()
    expect(trainer.locator(f'#progress tr[data-user="{participant_id}"]')).to_contain_text(
        "terminée"
    )


def test_a_participant_opening_a_session_they_are_not_in_sees_the_refusal(daphne, world, browser):
    from playwright.sync_api import expect

    other = world.other_session.pk
    server = daphne()
    page = log_in(browser, server, "participant")
    response = page.goto(f"/sessions/{other}/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Accès impossible")).to_be_visible()
    expect(page.get_by_text("Vous ne faites pas partie de cette session.")).to_be_visible()
    expect(page.locator("#outline")).to_have_count(0)
    expect(page.get_by_text("Autre session")).to_have_count(0)
