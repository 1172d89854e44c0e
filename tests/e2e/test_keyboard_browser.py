"""A participant's day with the keyboard only, in Chromium on the demo data: log in, reach
their session, tick an activity, open the forum and post, vote in a poll. Every control is
reached with Tab (or Shift+Tab) and used with Enter, Space or the arrows, and each one shows
where the focus is."""

import pytest

from tests.browser import off_loop

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

# More than any page here needs between two controls; past it the control is unreachable.
MAX_TABS = 120


def _seed_demo() -> None:
    import io

    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())


def focus_shows(page) -> bool:
    """Whether the focused element draws a visible focus ring (outline or shadow)."""
    return page.evaluate(
        """() => {
          const style = getComputedStyle(document.activeElement);
          const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
          return outline || style.boxShadow !== "none";
        }"""
    )


def tab_to(page, target, *, backwards: bool = False) -> None:
    """Press Tab until `target` (a locator) has the focus, and check the focus is visible."""
    key = "Shift+Tab" if backwards else "Tab"
    target.wait_for()
    for _ in range(MAX_TABS):
        if target.evaluate("el => el === document.activeElement"):
            assert focus_shows(page), f"no visible focus on {target}"
            return
        page.keyboard.press(key)
    raise AssertionError(f"{target} not reached with {key}")


def test_a_participant_goes_through_their_day_with_the_keyboard_only(daphne, browser):
    from playwright.sync_api import expect

    off_loop(_seed_demo)
    server = daphne()
    context = browser.new_context(
        base_url=server.url, locale="fr-FR", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()

    page.goto("/login/")
    tab_to(page, page.get_by_label("Identifiant"))
    page.keyboard.type("participant02")
    tab_to(page, page.get_by_label("Mot de passe"))
    page.keyboard.type("preau-demo")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Mes sessions")).to_be_visible()

    session = page.get_by_role("link", name="Compréhension en lecture — Rouen Nord")
    tab_to(page, session)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Ma progression")).to_be_visible()

    # Tick the first activity not done yet: the progress says so at once.
    progress = page.locator("#progress .count")
    before = progress.inner_text()
    activity = page.locator("input.complete:not(:checked)").first.get_attribute("data-activity")
    box = page.locator(f'input.complete[data-activity="{activity}"]')
    tab_to(page, box)
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    expect(progress).not_to_have_text(before)

    # The forum: a discussion, a reply typed and published.
    tab_to(page, page.get_by_role("link", name="Forums"), backwards=True)
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="Vos pratiques de questionnement"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="Questions avant, pendant ou après la lecture ?"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("Message"))
    page.keyboard.type("Je pose mes questions avant la lecture.")
    tab_to(page, page.get_by_role("button", name="Publier"))
    page.keyboard.press("Enter")
    expect(page.locator("#posts")).to_contain_text("Je pose mes questions avant la lecture.")

    # Back to the session (through its forums), then the poll announced there.
    tab_to(page, page.locator("main").get_by_role("link", name="Forums", exact=True),
           backwards=True)  # fmt: skip
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="Compréhension en lecture — Rouen Nord"))
    page.keyboard.press("Enter")
    poll = page.get_by_role("link", name="Sondage en cours : Classe virtuelle", exact=False)
    tab_to(page, poll)
    page.keyboard.press("Enter")
    first_yes = page.locator("#poll input[value=yes]").first
    tab_to(page, first_yes)
    page.keyboard.press("Space")  # a radio group: Space picks the focused choice
    expect(first_yes).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Enregistrer ma réponse"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Réponse enregistrée")).to_contain_text(
        "oui pour 1 créneau(x)"
    )
    context.close()
