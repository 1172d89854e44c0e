"""Chromium through a real server: a poll page as Framadate users expect it: the vote is
confirmed, the suggested slot follows the live counts, members see each person's answers
when the poll is nominative and counts only (comments without names) when it is anonymous,
and a closed poll shows the chosen slot to everyone, without vote controls."""

from types import SimpleNamespace

import pytest

from tests.browser import log_in
from tests.scheduling.helpers import good_slots, slot_body

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def poll_body() -> dict:
    slots = [slot_body(s) for s in good_slots(2)]
    return {"title": "Quand se retrouver ?", "slots": slots, "nominative": True}


def test_the_suggested_slot_follows_the_votes_and_the_closed_poll_shows_the_chosen_one(
    daphne, world, browser
):
    from playwright.sync_api import expect

    server = daphne()
    trainer = log_in(browser, server, "trainer")
    participant = log_in(browser, server, "participant")
    participant.goto(f"/sessions/{world.session.pk}/")
    expect(participant.get_by_role("heading", name="Prochaines classes virtuelles")).to_be_visible()
    # Proposed by the trainer through the server (its events reach the server's sockets).
    trainer.goto(f"/sessions/{world.session.pk}/")
    created = trainer.evaluate(
        "([path, body]) => preauApi('POST', path, body)",
        [f"/sessions/{world.session.pk}/polls", poll_body()],
    )
    first, second = sorted(created["slots"], key=lambda slot: slot["starts_at"])
    first, second = SimpleNamespace(pk=first["id"]), SimpleNamespace(pk=second["id"])
    url = f"/sondages/{created['id']}/"

    # Announced while the session page is open: in its classes card and in the bell.
    announced = participant.get_by_role("link", name="Sondage en cours : Quand se retrouver ?")
    expect(announced).to_be_visible()
    expect(participant.locator("#notifications-bell .count")).to_have_text("1")
    participant.get_by_role("button", name="Notifications").click()
    expect(participant.locator("#notifications-panel")).to_contain_text(
        "Nouveau sondage : Quand se retrouver ?"
    )
    announced.click()
    expect(participant.get_by_role("heading", name="Quand se retrouver ?")).to_be_visible()
    trainer.goto(url)
    later = trainer.locator(f'tr[data-slot="{second.pk}"]')
    later_label = later.locator("td strong").inner_text()
    expect(trainer.locator(f'tr[data-slot="{first.pk}"] .slot-note')).to_have_text("suggéré")

    participant.locator(f'input[name="slot-{first.pk}"][value="no"]').check()
    participant.locator(f'input[name="slot-{second.pk}"][value="yes"]').check()
    participant.get_by_role("button", name="Enregistrer ma réponse").click()
    expect(participant.get_by_role("status").filter(has_text="Réponse enregistrée")).to_have_text(
        "Réponse enregistrée : oui pour 1 créneau(x), si besoin pour 0, non pour 1. "
        "Vous pouvez la modifier jusqu'à la clôture."
    )

    # The trainer's page was not reloaded: suggestion, close choice and table follow.
    expect(later.locator(".slot-note")).to_have_text("suggéré")
    expect(trainer.locator("#suggestion")).to_have_text(
        f"Créneau suggéré par les réponses : {later_label}"
    )
    expect(trainer.locator("#close-form select")).to_have_value(str(second.pk))
    # A nominative poll: its members, not only its trainers, see who answered what.
    for page in (trainer, participant):
        person = page.locator("#ballots tbody tr")
        expect(person).to_have_count(1)
        expect(person.locator("td")).to_have_text(["Participant Test", "non", "oui", ""])

    trainer.get_by_role("button", name="Clore et planifier la classe").click()
    for page in (participant, trainer):
        chosen = page.locator(f'tr[data-slot="{second.pk}"]')
        expect(page.locator("#poll-state")).to_have_text(
            f"Sondage clos. Créneau retenu : {later_label}."
        )
        expect(chosen).to_have_class("chosen")
        expect(chosen.locator(".slot-note")).to_have_text("créneau retenu")
        expect(page.get_by_role("button", name="Enregistrer ma réponse")).to_have_count(0)
        expect(page.locator("#poll input[type=radio]")).to_have_count(0)


def test_an_anonymous_poll_chosen_at_creation_shows_counts_and_comments_without_names(
    daphne, world, browser
):
    from playwright.sync_api import expect

    server = daphne()
    trainer = log_in(browser, server, "trainer")
    trainer.goto(f"/sessions/{world.session.pk}/planifier/")
    trainer.locator(".pick").first.click()
    trainer.locator(".pick").nth(3).click()
    create = trainer.get_by_role("button", name="Créer le sondage")
    create.click()  # no anonymity chosen: the form asks for it and creates nothing
    expect(trainer.locator("input[name=anonymity]:invalid")).to_have_count(2)
    assert "/planifier/" in trainer.url
    trainer.get_by_label("Anonyme", exact=False).check()
    create.click()
    expect(trainer.locator("#poll-privacy")).to_contain_text("Sondage anonyme")
    url = trainer.url

    participant = log_in(browser, server, "participant")
    participant.goto(url)
    participant.locator("#poll input[value=yes]").first.check()
    participant.get_by_label("Commentaire").fill("Le mardi me va mieux")
    participant.get_by_role("button", name="Enregistrer ma réponse").click()
    expect(participant.get_by_role("status").filter(has_text="Réponse enregistrée")).to_be_visible()

    for page in (trainer, participant):
        expect(page.locator("#respondents")).to_have_text("1 réponse(s)")
        expect(page.locator("#comments li")).to_have_text(["Le mardi me va mieux"])
        expect(page.locator("#ballots")).to_have_count(0)
    # The trainer's page updated live; nowhere on it is the voter's name.
    expect(trainer.locator("main")).not_to_contain_text("Participant Test")
