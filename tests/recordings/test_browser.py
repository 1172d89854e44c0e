"""Chromium plays a recording as a member, seeks in it, and is refused as an outsider.

The recording is a real WebM (the `webm_bytes` fixture) stored where the server reads it;
the server is a real daphne process (tests/servers.py)."""

from __future__ import annotations

import pytest

from tests.browser import log_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

PLAYING = """async (video) => {
  video.muted = true;
  await video.play();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  return {time: video.currentTime, width: video.videoWidth, paused: video.paused};
}"""

SEEK = """async (video) => {
  video.pause();
  const seeked = new Promise((resolve) => video.addEventListener("seeked", resolve, {once: true}));
  video.currentTime = 2.2;
  await seeked;
  return video.currentTime;
}"""

FOREIGN_PLAYER = """async (src) => {
  const video = document.createElement("video");
  const failed = new Promise((resolve) => {
    video.addEventListener("error", () => resolve(video.error.code));
  });
  video.src = src;
  document.body.append(video);
  return await failed;
}"""


@pytest.fixture
def recording(world, make_recording):
    """Made before Playwright's event loop starts (the ORM refuses to run inside it)."""
    return make_recording(world.session, title="Classe du lundi")


def test_a_member_plays_and_seeks_a_recording_and_an_outsider_is_refused(
    daphne, world, recording, media_dirs, browser
):
    from playwright.sync_api import expect

    server = daphne(MEDIA_ROOT=str(media_dirs["stored"]))

    member = log_in(browser, server, "participant")
    member.goto(f"/sessions/{world.session.pk}/")
    item = member.locator(f'[data-recording="{recording.pk}"]')
    expect(item).to_contain_text("Classe du lundi")
    video = item.locator("video")
    state = video.evaluate(PLAYING)
    assert state["width"] == 320 and not state["paused"]
    assert state["time"] > 0.5  # the picture moves on: the file is being played
    assert video.evaluate(SEEK) == pytest.approx(2.2, abs=0.3)  # served by byte ranges
    link = video.get_attribute("src")

    outsider = log_in(browser, server, "outsider")
    outsider.goto(f"/sessions/{world.session.pk}/")
    expect(outsider.get_by_text("Vous ne faites pas partie de cette session.")).to_be_visible()
    expect(outsider.locator("video")).to_have_count(0)
    # The member's link, copied into the outsider's browser, plays nothing.
    refused = outsider.request.get(link)
    assert refused.status == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert outsider.evaluate(FOREIGN_PLAYER, link) == 4  # MEDIA_ERR_SRC_NOT_SUPPORTED
