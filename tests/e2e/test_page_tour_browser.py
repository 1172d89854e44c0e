"""The page tour: each demo role, at 1280 and 390 px, visits every page its navigation leads
to (the top bar, the first session of its home page and that session's own links), and the tour
fails on a console error, a page wider than the screen or a serious axe-core violation.

axe runs on every page at 1280 px, and at 390 px on the home page with its menu open and
folded (its rules hardly depend on the width; the overflow check does, at both widths).
Screenshots go to `artifacts/tour/` (or $PREAU_TOUR_DIR) for people to review; one browser,
one context per role, so the whole tour stays within a few minutes.
"""

import os
from pathlib import Path

import pytest

from tests.browser import axe_violations, log_in, off_loop, page_width

# About a hundred page views: more than the default per-test limit on a shared machine.
pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.timeout(900)]

SHOTS = Path(
    os.environ.get("PREAU_TOUR_DIR") or Path(__file__).resolve().parents[2] / "artifacts" / "tour"
)
ROLES = [
    "formatrice",
    "tuteur",
    "participant02",
    "inspecteur",
    "admin-normandie",
    "concepteur",
    "national",
]
WIDTHS = [1280, 390]
# Links that are files or actions, not pages to look at.
NOT_PAGES = ("/api/", "/logout/", "/media/", "#")


def _seed_demo() -> None:
    import io

    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())


def _links(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
    return [h for h in dict.fromkeys(hrefs) if h and h.startswith("/") and not any(
        part in h for part in NOT_PAGES)]  # fmt: skip


def _tour(page) -> list[str]:
    """The pages of the navigation, the first session of the home page and its links."""
    pages = ["/", *_links(page, "header nav a")]
    # Every session page is the same template: the first one stands for the others.
    sessions = [h for h in _links(page, "main a") if h.startswith("/sessions/")][:1]
    for session in sessions:
        page.goto(session)
        pages += [session, *_links(page, ".session-nav a")]
    return list(dict.fromkeys(pages))


def test_every_role_tours_its_pages_at_both_widths_without_errors(daphne, browser):
    from playwright.sync_api import expect

    off_loop(_seed_demo)
    server = daphne()
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    visited = 0
    for role in ROLES:
        page = log_in(browser, server, role, password="preau-demo")
        errors: list[str] = []
        page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc, e=errors: e.append(str(exc)))
        pages = _tour(page)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            for path in pages:
                errors.clear()
                response = page.goto(path)
                where = f"{role} {width}px {path}"
                if response.status >= 400:
                    problems.append(f"{where}: HTTP {response.status}")
                if page_width(page) > width:
                    problems.append(f"{where}: {page_width(page)} px wide")
                if width == WIDTHS[0] or path == "/":  # axe's rules hardly depend on width
                    problems += [f"{where}: {v}" for v in axe_violations(page)]
                problems += [f"{where}: console: {e}" for e in errors]
                name = path.strip("/").replace("/", "_") or "accueil"
                page.screenshot(path=SHOTS / f"{role}-{width}-{name}.png", full_page=True)
                visited += 1
            if width < 1280:  # the folded menu, open, is a page state of its own
                page.goto("/")
                page.get_by_role("button", name="Menu").click()
                expect(page.locator("#site-menu")).to_be_visible()
                problems += [f"{role} menu: {v}" for v in axe_violations(page)]
        page.context.close()
    assert not problems, "\n".join(problems)
    assert visited >= 2 * len(ROLES) * 5
