"""Chromium driven by Playwright, against a real server (see tests/servers.py)."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from tests import factories
from tests.services import _missing, require_chromium

T = TypeVar("T")

# Headless Chromium on a machine with no network but loopback.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture
def browser() -> Iterator:
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def log_in(browser, server, username: str, *, width: int = 1280, password: str = ""):
    """A new browser context logged in as `username` through the real login page, on a
    screen `width` pixels wide (390: a phone)."""
    from playwright.sync_api import expect

    context = browser.new_context(
        base_url=server.url, locale="fr-FR", viewport={"width": width, "height": 800}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password or factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mes sessions")).to_be_visible()
    return page


def page_width(page) -> int:
    """How wide the page's content is: more than the window means a horizontal scroll."""
    return page.evaluate("document.documentElement.scrollWidth")


# axe-core comes from npm (package.json, installed by `make test`), run in the page.
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """axe-core's violations of `impacts` on the page as it is now, one line each."""
    if not AXE.exists():
        _missing(f"axe-core at {AXE} (npm ci)")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
          .map(v => ({id: v.id, impact: v.impact,
                      nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))"""
    )
    return [f"{v['id']} ({v['impact']}): {v['nodes']}" for v in found if v["impact"] in impacts]


def off_loop(fn: Callable[[], T]) -> T:
    """Run `fn`'s database work outside Playwright's event loop.

    The sync API keeps an event loop running in the test's thread, under which Django hands
    out a connection per task context that nobody closes; a thread of its own gets a plain
    connection, closed when `fn` is done.
    """
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def run() -> T:
        try:
            return fn()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()
