"""Progress moves at once for the participant and live on the trainer's open table."""

import pytest

from parcours import services
from tests.browser import log_in


def test_ticking_an_activity_tells_the_trainers_and_tutors_only(world, capture_events):
    services.complete_activity(
        session=world.session, user=world.participant, activity_id=_first_activity(world)
    )
    told = {t: e for t, e in capture_events.events if e.type == "progress.changed"}
    assert set(told) == {f"user:{world.trainer.pk}", f"user:{world.tutor.pk}"}
    event = told[f"user:{world.trainer.pk}"]
    assert (event.session_id, event.user_id, event.completed, event.percent) == (
        world.session.pk,
        world.participant.pk,
        1,
        25,
    )


def _first_activity(world) -> int:
    from parcours.models import Activity

    return (
        Activity.objects.filter(section__parcours=world.session.parcours, trainer_only=False)
        .order_by("section__position", "position")
        .values_list("pk", flat=True)
        .first()
    )


@pytest.mark.slow
@pytest.mark.e2e
def test_the_trainers_open_table_follows_a_participants_ticks(daphne, world, browser):
    from playwright.sync_api import expect

    participant_id = world.participant.pk
    server = daphne()
    trainer = log_in(browser, server, "trainer")
    trainer.goto(f"/sessions/{world.session.pk}/")
    row = trainer.locator(f'#progress tr[data-user="{participant_id}"]')
    expect(row.locator(".count")).to_have_text("(0/4)")

    page = log_in(browser, server, "participant")
    page.goto(f"/sessions/{world.session.pk}/")
    page.get_by_label("Activité 1").check()
    expect(page.locator("#progress .percent")).to_have_text("25 %")
    expect(page.locator("#progress .count")).to_have_text("(1/4)")

    # Not reloaded: the trainer's row moved over the trainer's own topic.
    expect(row.locator(".percent")).to_have_text("25 %")
    expect(row.locator(".count")).to_have_text("(1/4)")
    expect(row.locator(".bar")).to_have_attribute("aria-valuenow", "25")
    page.get_by_label("Activité 1").uncheck()
    expect(row.locator(".count")).to_have_text("(0/4)")
