"""The planning page opens on a week where a class can be placed, and says in each refused
cell (and its legend) why, not only in a hover tooltip."""

from datetime import timedelta

import pytest
from django.utils import timezone

from scheduling import selectors
from tests.browser import log_in


def test_the_first_open_week_skips_weeks_whose_every_slot_is_refused(world):
    today = timezone.localdate()
    this_monday = today - timedelta(days=today.weekday())
    two_weeks_ago = this_monday - timedelta(weeks=2)
    past = selectors.week_grid(world.session.scope, two_weeks_ago)
    assert all("past" in cell.reasons for row in past for cell in row)
    assert selectors.grid_legend(past)  # every mark shown is spelled out
    monday, grid = selectors.first_open_week(world.session.scope, two_weeks_ago)
    assert monday >= this_monday
    assert any(not cell.reasons for row in grid for cell in row)


@pytest.mark.slow
@pytest.mark.e2e
def test_the_planning_page_opens_on_a_week_with_free_slots_and_spells_out_refusals(
    daphne, world, browser
):
    from playwright.sync_api import expect

    server = daphne()
    trainer = log_in(browser, server, "trainer")
    trainer.goto(f"/sessions/{world.session.pk}/planifier/")
    expect(trainer.locator(".week-grid .pick").first).to_be_visible()
    legend = trainer.locator("#grid-legend")
    expect(legend).to_contain_text("WE")
    expect(legend).to_contain_text("Week-end")
    expect(legend).to_contain_text("Hors des heures de travail")
    first_hour = trainer.locator(".week-grid tbody tr").first  # 07:00: before working hours
    expect(first_hour.locator("td.refused abbr").first).to_have_text("H")

    # A week asked for by its date is shown as it is, even when nothing is left in it.
    past = timezone.localdate() - timedelta(weeks=2)
    trainer.goto(f"/sessions/{world.session.pk}/planifier/?semaine={past.isoformat()}")
    expect(trainer.locator(".week-grid .pick")).to_have_count(0)
    expect(legend).to_be_visible()
