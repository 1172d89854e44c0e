"""The bell: a reply in a followed discussion shows live, what came while away waits for the
return, and what was read is read on every device (the marker lives on the server)."""

import json
import re
import urllib.request

import pytest

from forums import services as forums
from parcours.models import ApiToken
from tests.browser import log_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


@pytest.fixture
def followed(world):
    """A discussion the participant started (and so follows), and a peer's API token."""
    forum = forums.create_forum(
        scope=world.session.scope, actor=world.trainer, title="Échanges", kind="standard"
    )
    discussion = forums.start_discussion(
        forum=forum, author=world.participant, title="Vos rituels de lecture", body="Et vous ?"
    )
    return discussion, ApiToken.issue(world.other_participant)


def _reply_as_peer(server, discussion, token: str, body: str) -> None:
    request = urllib.request.Request(
        f"{server.url}/api/v1/discussions/{discussion.pk}/posts",
        data=json.dumps({"body": body}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status in (200, 201)


def test_a_reply_rings_the_bell_live_and_missed_ones_wait_for_the_return(
    daphne, world, followed, browser
):
    from playwright.sync_api import expect

    discussion, token = followed
    server = daphne()
    page = log_in(browser, server, "participant")
    page.wait_for_function("document.getElementById('notifications-bell').dataset.ready")
    bell = page.locator("#notifications-bell")
    expect(bell.locator(".count")).to_be_hidden()

    _reply_as_peer(server, discussion, token, "Une lecture offerte chaque matin.")
    expect(bell.locator(".count")).to_have_text("1")
    bell.click()
    notice = page.locator("#notifications-panel li a")
    expect(notice).to_have_text("Participant2 Test a répondu dans « Vos rituels de lecture »")
    expect(bell.locator(".count")).to_be_hidden()

    page.reload()
    expect(page.locator("#notifications-bell .count")).to_be_hidden()
    other_device = log_in(browser, server, "participant")
    other_device.wait_for_function("document.getElementById('notifications-bell').dataset.ready")
    expect(other_device.locator("#notifications-bell .count")).to_be_hidden()
    other_device.locator("#notifications-bell").click()
    expect(other_device.locator("#notifications-panel li a")).to_have_text(
        "Participant2 Test a répondu dans « Vos rituels de lecture »"
    )
    other_device.context.close()

    page.goto("about:blank")
    _reply_as_peer(server, discussion, token, "Et un carnet de lecteur.")
    page.goto("/")
    expect(page.locator("#notifications-bell .count")).to_have_text("1")
    page.locator("#notifications-bell").click()
    assert page.locator("#notifications-panel li a").count() == 2  # the list keeps the first
    page.locator("#notifications-panel li a").first.click()  # newest first
    expect(page).to_have_url(re.compile(rf"/forums/discussions/{discussion.pk}/#post-\d+$"))
    expect(page.locator(".post", has_text="Et un carnet de lecteur.")).to_be_visible()
