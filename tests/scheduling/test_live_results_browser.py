"""Chromium through a real server: a trainer proposes slots on the week view, a participant
answers, the trainer's page counts it live; closing shows everyone the invitation."""

from datetime import timedelta

import pytest

from tests.browser import log_in, off_loop
from tests.scheduling.helpers import good_slots

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_a_poll_is_proposed_answered_live_and_closed_in_the_browser(daphne, world, browser):
    from playwright.sync_api import expect

    start = good_slots(1)[0]
    monday = start.date() - timedelta(days=start.weekday())
    server = daphne()

    trainer = log_in(browser, server, "trainer")
    trainer.goto(f"/sessions/{world.session.pk}/planifier/?semaine={monday.isoformat()}")
    assert trainer.locator("td.refused").first.get_attribute("title")
    trainer.locator(f'.pick[data-start="{start.isoformat()}"]').click()
    trainer.fill("#poll-form input[name=title]", "Classe virtuelle en direct")
    trainer.get_by_label("Anonyme", exact=False).check()
    trainer.get_by_role("button", name="Créer le sondage").click()
    expect(trainer.get_by_role("heading", name="Classe virtuelle en direct")).to_be_visible()
    poll_url = trainer.url
    slot_row = trainer.locator("tr[data-slot]").first
    expect(slot_row.locator(".count-yes")).to_have_text("0")

    participant = log_in(browser, server, "participant")
    participant.goto(poll_url)
    participant.locator("tr[data-slot] input[value=yes]").first.check()
    participant.get_by_role("button", name="Enregistrer ma réponse").click()
    expect(participant.locator("tr[data-slot] .count-yes").first).to_have_text("1")

    # The trainer's page was not reloaded: the count came over `poll:<id>`.
    expect(slot_row.locator(".count-yes")).to_have_text("1")
    expect(trainer.locator("#respondents")).to_have_text("1 réponse(s)")

    trainer.get_by_role("button", name="Clore et planifier la classe").click()
    expect(trainer.locator("#ics-link")).to_be_visible()
    expect(participant.locator("#ics-link")).to_be_visible()
    invitation = participant.request.get(
        poll_url.replace("/sondages/", "/api/v1/polls/") + "event.ics"
    )
    assert invitation.status == 200
    assert b"TZID=Europe/Paris" in invitation.body()
    # A class closed from a poll has no agenda: its event still says its session and link.
    import icalendar

    event = icalendar.Calendar.from_ical(invitation.body()).events[0]
    description = str(event["description"])
    assert description.startswith(f"Session « {world.session.title} »")
    assert description.endswith(f"Rejoindre : {event['url']}")


def open_for_a_few_seconds(world, seconds: int):
    """A poll that closes `seconds` from now, made once the browser is logged in, so that a
    slow server start cannot eat the window in which the page is open."""
    from django.utils import timezone

    from scheduling import services
    from scheduling.schemas import SlotIn
    from tests.scheduling.helpers import slot_body

    return services.create_poll(
        session=world.session,
        actor=world.trainer,
        title="Clôture automatique",
        slots=[SlotIn(**slot_body(good_slots(1)[0]))],
        closes_at=timezone.now() + timedelta(seconds=seconds),
    )


def test_an_open_voting_page_closes_by_itself_at_the_closing_date(daphne, world, browser):
    from playwright.sync_api import expect

    server = daphne()
    participant = log_in(browser, server, "participant")
    poll = off_loop(lambda: open_for_a_few_seconds(world, seconds=10))
    participant.goto(f"/sondages/{poll.pk}/")
    save = participant.get_by_role("button", name="Enregistrer ma réponse")
    expect(save).to_be_enabled()
    # Nobody reloads the page: it closes itself when the date passes.
    expect(participant.locator("#poll-state")).to_have_text("Sondage clos.", timeout=20_000)
    expect(save).to_have_count(0)  # a closed poll shows no vote controls
