"""The SFU with real aiortc peers on this machine: what each participant sees and hears.

Each client sends a picture of its own size and brightness and a tone, so a receiver can
tell whose frames it decodes. aiortc's encoder makes a keyframe only every 3,000 frames
(100 s): a late joiner that decodes within seconds got one because its request reached the
publisher through the SFU.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from classrooms.media.room import Rules
from tests.classrooms.peers import Received, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]

ALICE = dict(video=(160, 120, 40), tone=440)
BRUNO = dict(video=(176, 144, 130), tone=660)
CLARA = dict(video=(192, 144, 220), tone=880)
# Frames already on their way when a rule changes (queues, jitter buffers) arrive within this.
SETTLE = 1.0


def receiving(client, user_id: int, source: str = "camera", frames: int = 5) -> bool:
    found = client.from_user(user_id, source)
    return found is not None and found.frames >= frames


async def flowing(received: Received, seconds: float = 0.6) -> int:
    """Frames that arrive on `received` during the next `seconds`."""
    start = time.monotonic()
    await asyncio.sleep(seconds)
    return received.since(start)


async def test_three_peers_each_receive_the_others_video_and_tone(media):
    alice = await media.join("a", 1, **ALICE)
    bruno = await media.join("b", 2, **BRUNO)
    clara = await media.join("c", 3, **CLARA)
    pairs = [(alice, 2), (alice, 3), (bruno, 1), (bruno, 3), (clara, 1), (clara, 2)]
    await wait_for(lambda: all(receiving(c, uid) for c, uid in pairs), timeout=20)
    await wait_for(lambda: all(receiving(c, uid, "mic", 10) for c, uid in pairs), timeout=10)

    expected = {1: ALICE, 2: BRUNO, 3: CLARA}
    for client, user_id in pairs:
        video = client.from_user(user_id)
        width, height, luma = expected[user_id]["video"]
        assert video.sizes == {(width, height)}
        assert abs(video.luma - luma) < 20
        assert client.from_user(user_id, "mic").loudness > 3000  # the tone, not silence
    # Nobody receives their own tracks back.
    assert {info["user_id"] for info in alice.tracks.values()} == {2, 3}


async def test_a_late_joiner_gets_the_current_tracks_starting_with_a_fresh_keyframe(media):
    alice = await media.join("a", 1, **ALICE)
    bruno = await media.join("b", 2, **BRUNO)
    await wait_for(lambda: receiving(bruno, 1, frames=10), timeout=20)
    await asyncio.sleep(0.5)  # well past alice's first (and only scheduled) keyframe

    started = time.monotonic()
    late = await media.join("l", 9)
    await wait_for(lambda: receiving(late, 1, frames=3) and receiving(late, 2, frames=3))
    assert time.monotonic() - started < 8  # the encoder's own next keyframe is 100 s away
    assert late.from_user(1).sizes == {(160, 120)}
    assert late.from_user(2).sizes == {(176, 144)}
    assert alice.from_user(2) is not None  # the viewer-only peer sent nothing to others


async def test_a_leavers_tracks_end_for_everyone(media):
    alice = await media.join("a", 1, **ALICE)
    bruno = await media.join("b", 2, **BRUNO)
    clara = await media.join("c", 3, **CLARA)
    await wait_for(lambda: receiving(bruno, 1) and receiving(clara, 1), timeout=20)

    await alice.close()
    await wait_for(
        lambda: all(c.from_user(1, s).ended for c in (bruno, clara) for s in ("camera", "mic"))
    )
    assert not bruno.from_user(3).ended  # the others go on
    assert await flowing(bruno.from_user(3)) > 0
    assert "a" not in media.room.peers
    assert all(p.peer != "a" for p in media.room.published.values())


async def test_a_reloaded_tab_replaces_its_old_peer(media):
    alice = await media.join("a", 1, **ALICE)
    bruno = await media.join("b", 2, **BRUNO)
    await wait_for(lambda: receiving(bruno, 1), timeout=20)
    first = bruno.from_user(1)

    again = await media.join("a", 1, video=(160, 120, 200))
    await wait_for(lambda: first.ended and bruno.from_user(1) is not first, timeout=15)
    await wait_for(lambda: receiving(bruno, 1, frames=3))
    assert abs(bruno.from_user(1).luma - 200) < 20
    assert len(media.room.peers_of(1)) == 1
    await wait_for(
        lambda: alice.closed_by_server is not None or alice.subscriber.connectionState == "closed"
    )
    assert again.closed_by_server is None


async def test_muting_a_microphone_or_stopping_a_camera_silences_it_for_everyone(media):
    alice = await media.join("a", 1, **ALICE)
    bruno = await media.join("b", 2, **BRUNO)
    await wait_for(lambda: receiving(bruno, 1) and receiving(bruno, 1, "mic", 10), timeout=20)

    media.room.apply_rules({1: Rules(mic=False)})
    await asyncio.sleep(SETTLE)
    assert await flowing(bruno.from_user(1, "mic")) == 0
    assert await flowing(bruno.from_user(1)) > 0  # the camera still flows
    assert await flowing(alice.from_user(2, "mic")) > 0  # and bruno is still heard

    media.room.apply_rules({1: Rules(mic=False, camera=False)})
    await asyncio.sleep(SETTLE)
    assert await flowing(bruno.from_user(1)) == 0

    media.room.apply_rules({})
    await wait_for(lambda: bruno.from_user(1, "mic").since(time.monotonic() - 0.3) > 3)
    await wait_for(lambda: bruno.from_user(1).since(time.monotonic() - 0.3) > 2)


async def test_breakout_groups_hear_only_their_own_members_then_everyone_again(media):
    alice = await media.join("a", 1, tone=440)
    bruno = await media.join("b", 2, tone=660)
    clara = await media.join("c", 3, tone=880)
    david = await media.join("d", 4, tone=330)
    everyone = {alice: 1, bruno: 2, clara: 3, david: 4}
    await wait_for(
        lambda: all(
            receiving(c, u, "mic") for c in everyone for u in range(1, 5) if u != everyone[c]
        ),
        timeout=20,
    )

    groups = {1: "g1", 2: "g1", 3: "g2", 4: "g2"}
    media.room.apply_rules({uid: Rules(group=group) for uid, group in groups.items()})
    await asyncio.sleep(SETTLE)
    heard = {}
    moment = time.monotonic()
    await asyncio.sleep(0.6)
    for client, own in everyone.items():
        for other in range(1, 5):
            if other != own:
                heard[(own, other)] = client.from_user(other, "mic").since(moment) > 0
    assert heard == {pair: groups[pair[0]] == groups[pair[1]] for pair in heard}

    media.room.apply_rules({})
    await wait_for(
        lambda: all(
            c.from_user(u, "mic").since(time.monotonic() - 0.3) > 3
            for c in everyone
            for u in range(1, 5)
            if u != everyone[c]
        )
    )


async def test_a_shared_screen_joins_the_camera_and_flows_only_while_allowed(media):
    alice = await media.join("a", 1, **ALICE)
    bruno = await media.join("b", 2, **BRUNO)
    await wait_for(lambda: receiving(bruno, 1), timeout=20)

    await alice.share_screen(320, 180, 200)  # renegotiated: the screen joins the camera
    await wait_for(lambda: receiving(bruno, 1, "screen"), timeout=20)
    screen = bruno.from_user(1, "screen")
    assert screen.sizes == {(320, 180)} and abs(screen.luma - 200) < 20
    assert await flowing(bruno.from_user(1)) > 0  # the camera goes on beside it

    media.room.apply_rules({1: Rules(screen=False)})  # alice no longer presents
    await asyncio.sleep(SETTLE)
    assert await flowing(bruno.from_user(1, "screen")) == 0
    assert await flowing(bruno.from_user(1)) > 0
    media.room.apply_rules({})
    await wait_for(lambda: bruno.from_user(1, "screen").since(time.monotonic() - 0.3) > 2)
