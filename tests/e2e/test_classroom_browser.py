"""A real class in Chromium: a participant's browser (fake camera and microphone) and the
trainer as an aiortc peer meet in the classroom through a daphne server's SFU."""

from __future__ import annotations

import asyncio
import threading

import pytest

from classrooms import services
from tests.browser import log_in
from tests.classrooms.gateway_peers import gateway_peer
from tests.classrooms.peers import wait_for
from tests.realtime.support import connect_remote

pytestmark = [
    pytest.mark.slow,
    pytest.mark.e2e,
    pytest.mark.timeout(120),
    pytest.mark.django_db(transaction=True),
]


def _video_of(page, user_id: int) -> dict:
    return page.evaluate(
        """(userId) => {
            const video = document.querySelector(`#tile-${userId}-cam video`);
            return video ? {width: video.videoWidth, time: video.currentTime} : null;
        }""",
        user_id,
    )


@pytest.fixture
def room(world):
    # Before the browser starts: sync Playwright runs an event loop in this thread, after
    # which Django refuses database calls here.
    return services.create_room(scope=world.session.scope, actor=world.trainer, title="Classe")


def test_a_browser_and_an_aiortc_trainer_see_each_other(world, room, daphne, media_browser):
    # The embedded default: one server process running the media (no Redis).
    server = daphne(CLASSROOM_MEDIA_EMBEDDED="1", REDIS_URL="")
    page = log_in(media_browser, server, "participant")
    page.goto(f"/classes-virtuelles/{room.pk}/")
    page.get_by_role("button", name="Rejoindre avec micro et caméra").click()

    looked = threading.Event()
    result: dict = {}

    async def trainer_side() -> None:
        client = await connect_remote(server, world.trainer)
        trainer = gateway_peer(client, room.pk, video=(320, 240, 200), tone=440)
        try:
            await trainer.join()
            await wait_for(
                lambda: (
                    (found := trainer.from_user(world.participant.pk)) is not None
                    and found.frames >= 10
                ),
                timeout=40,
            )
            received = trainer.from_user(world.participant.pk)
            result.update(frames=received.frames, sizes=received.sizes)
            # Go on sending while the page is looked at.
            await asyncio.to_thread(looked.wait, 60)
        finally:
            await trainer.close()
            await trainer.signalling.close()

    thread = threading.Thread(target=lambda: asyncio.run(trainer_side()))
    thread.start()
    try:
        page.wait_for_function(
            f"""() => {{
                const video = document.querySelector('#tile-{world.trainer.pk}-cam video');
                return video && video.videoWidth > 0;
            }}""",
            timeout=45_000,
        )
        first = _video_of(page, world.trainer.pk)
        page.wait_for_timeout(1500)
        later = _video_of(page, world.trainer.pk)
    finally:
        looked.set()
        thread.join(timeout=60)
    assert first["width"] == 320
    assert later["time"] > first["time"]  # the trainer's video is playing in the page
    assert result["frames"] >= 10  # and the trainer receives the browser's camera
    assert result["sizes"] == {(640, 360)}
