"""Recording from the classroom page in Chromium: the trainer and a participant (each with a
fake camera and microphone) see each other through the server's SFU, the trainer records
the live class, a participant's page shows the notice the moment it starts, a
participant arriving later sees it too, and once it stops the recording plays in the room's
list; an outsider gets neither the room nor the copied link."""

from __future__ import annotations

import time

import pytest

from classrooms import services
from tests.browser import log_in

pytestmark = [
    pytest.mark.slow,
    pytest.mark.e2e,
    pytest.mark.timeout(150),
    pytest.mark.django_db(transaction=True),
]

PLAYING = """async (video) => {
  video.muted = true;
  await video.play();
  const start = video.currentTime;
  await new Promise((resolve) => setTimeout(resolve, 1500));
  return {start, time: video.currentTime, width: video.videoWidth, duration: video.duration};
}"""

SEES = """(userId) => {
  const video = document.querySelector(`#tile-${userId}-cam video`);
  return !!video && video.videoWidth > 0 && video.currentTime > 0.5;
}"""


@pytest.fixture
def room(world):
    """Live before the browsers start (the ORM refuses to run inside Playwright's loop)."""
    room = services.create_room(scope=world.session.scope, actor=world.trainer, title="Classe")
    return services.start_class(room=room, actor=world.trainer)


def test_the_trainer_records_from_the_page_and_members_watch_it_there(
    world, room, daphne, media_browser, media_dirs
):
    from playwright.sync_api import expect

    server = daphne(
        CLASSROOM_MEDIA_EMBEDDED="1",
        REDIS_URL="",
        MEDIA_ROOT=str(media_dirs["stored"]),
        RECORDINGS_SPOOL=str(media_dirs["spool"]),
    )
    path = f"/classes-virtuelles/{room.pk}/"
    trainer = log_in(media_browser, server, "trainer")
    trainer.goto(path)
    trainer.get_by_role("button", name="Rejoindre avec micro et caméra").click()
    expect(trainer.locator("#toggle-mic")).to_be_visible()
    participant = log_in(media_browser, server, "participant")
    participant.goto(path)
    participant.get_by_role("button", name="Rejoindre avec micro et caméra").click()
    # Two browsers hold the class through the server's SFU: each plays the other's camera
    # (the participant, joining later, needs a keyframe that the SFU asks the trainer's
    # Chromium for, on its media SSRC and not on its RTX one).
    for page, other in ((participant, world.trainer), (trainer, world.participant)):
        page.wait_for_function(SEES, arg=other.pk, timeout=60_000)
    badge = participant.locator("#recording-badge")
    expect(badge).to_be_hidden()
    # Only moderators have the control.
    expect(participant.get_by_role("button", name="Enregistrer la classe")).to_have_count(0)

    trainer.get_by_role("button", name="Enregistrer la classe").click()
    began = time.monotonic()
    expect(badge).to_be_visible()
    expect(badge).to_have_text("Enregistrement en cours")
    late = log_in(media_browser, server, "participant2")
    late.goto(path)
    expect(late.locator("#recording-badge")).to_be_visible()
    trainer.wait_for_timeout(3000)
    trainer.get_by_role("button", name="Arrêter l'enregistrement").click()
    recorded = time.monotonic() - began

    expect(badge).to_be_hidden(timeout=30_000)
    expect(late.locator("#recording-badge")).to_be_hidden()
    video = participant.locator("#room-recording-list video")
    expect(video).to_have_count(1, timeout=30_000)
    state = video.evaluate(PLAYING)
    assert state["width"] == 640  # the recording's picture
    assert state["time"] > state["start"]  # it plays
    assert abs(state["duration"] - recorded) <= 1.5, (state, recorded)
    link = video.get_attribute("src")

    outsider = log_in(media_browser, server, "outsider")
    response = outsider.goto(path)
    assert response.status == 403
    expect(outsider.locator("#room-recordings")).to_have_count(0)
    refused = outsider.request.get(link)
    assert refused.status == 403
    assert refused.json()["error"]["code"] == "forbidden"
