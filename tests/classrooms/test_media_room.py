"""The SFU room's edges: bad signalling, its one close path, and the sink hook."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest
from aiortc.mediastreams import MediaStreamError

from classrooms.media import sinks
from parcours.errors import ErrorCode, ServiceError
from tests.classrooms.peers import wait_for

pytestmark = pytest.mark.timeout(60)

OFFER_START = "v=0\r\n"


async def test_signalling_before_joining_is_refused(media):
    with pytest.raises(ServiceError) as refused:
        await media.room.publish("ghost", OFFER_START, {})
    assert refused.value.code == ErrorCode.NOT_FOUND
    with pytest.raises(ServiceError) as refused:
        await media.room.answer("ghost", OFFER_START)
    assert refused.value.code == ErrorCode.NOT_FOUND


@pytest.mark.parametrize(
    ("sdp", "sources", "field"),
    [
        ("not an sdp", {}, "data.sdp"),
        (12, {}, "data.sdp"),
        ("v=0\r\n" + "a" * 70_000, {}, "data.sdp"),
        ("v=0\r\n\x00", {}, "data.sdp"),
        ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nm=video", {}, "data.sdp"),
        (OFFER_START, {"0": "webcam"}, "data.sources"),
        (OFFER_START, {"0": "camera", "1": "camera"}, "data.sources"),
        (OFFER_START, ["camera"], "data.sources"),
        (OFFER_START, {"x" * 40: "mic"}, "data.sources"),
    ],
)
async def test_a_malformed_publish_is_refused_and_changes_nothing(media, sdp, sources, field):
    await media.room.join("a", 1)
    with pytest.raises(ServiceError) as refused:
        await media.room.publish("a", sdp, sources)
    assert refused.value.code == ErrorCode.INVALID
    assert refused.value.details == {"field": field}
    assert list(media.room.peers) == ["a"] and not media.room.published


async def test_an_answer_nobody_asked_for_is_a_conflict(media):
    await media.room.join("a", 1)
    with pytest.raises(ServiceError) as refused:
        await media.room.answer("a", OFFER_START)
    assert refused.value.code == ErrorCode.CONFLICT


@pytest.mark.slow
async def test_closing_the_room_tells_every_peer_and_leaves_nothing_running(media):
    alice = await media.join("a", 1, video=(160, 120, 40))
    bruno = await media.join("b", 2, video=(176, 144, 130))
    await wait_for(lambda: bruno.from_user(1) is not None and bruno.from_user(1).frames > 3, 20)
    subscriber = media.room.peers["a"].subscriber

    await media.room.close()
    await wait_for(lambda: alice.closed_by_server == "ended" and bruno.closed_by_server == "ended")
    assert subscriber.connectionState == "closed"
    assert not media.room.peers and not media.room.published
    assert not media.room._tasks
    with pytest.raises(ServiceError):
        await media.room.join("c", 3)


class RecordingSink:
    """A sink as the recordings app would write one: it reads what the hook hands it."""

    def __init__(self, room_id: int) -> None:
        self.room_id = room_id
        self.added, self.removed, self.commands = [], [], []
        self.first_video_packet = None
        self.decoded_sizes: set = set()
        self.closed = 0
        self.readers: list[asyncio.Task] = []

    def track_added(self, track: sinks.TrackInfo) -> None:
        self.added.append(track)
        if track.kind == "video":
            self.readers.append(asyncio.ensure_future(self._encoded(track.encoded())))
            self.readers.append(asyncio.ensure_future(self._decoded(track.decoded())))

    async def _encoded(self, track) -> None:
        self.first_video_packet = await track.recv()
        track.stop()

    async def _decoded(self, track) -> None:
        try:
            while True:
                frame = await track.recv()
                self.decoded_sizes.add((frame.width, frame.height))
        except MediaStreamError:
            pass

    def track_removed(self, track: sinks.TrackInfo) -> None:
        self.removed.append(track)

    def command(self, data: dict) -> None:
        self.commands.append(data)

    async def close(self) -> None:
        self.closed += 1
        for task in self.readers:
            task.cancel()


@pytest.mark.slow
async def test_a_registered_sink_is_fed_every_track_encoded_or_decoded():
    from tests.classrooms.conftest import MediaHarness

    built: list[RecordingSink] = []

    def factory(room_id: int) -> RecordingSink:
        built.append(RecordingSink(room_id))
        return built[-1]

    sinks.register_sink("test-recorder", factory)
    harness = MediaHarness(room_id=7)
    try:
        alice = await harness.join("a", 1, video=(160, 120, 40), tone=440)
        sink = built[0]
        await wait_for(lambda: sink.first_video_packet is not None and sink.decoded_sizes, 20)
        assert sink.room_id == 7
        assert {(t.user_id, t.source, t.kind) for t in sink.added} == {
            (1, "mic", "audio"),
            (1, "camera", "video"),
        }
        assert sink.first_video_packet.keyframe
        assert bytes(sink.first_video_packet)  # VP8 bytes, ready to mux
        assert sink.decoded_sizes == {(160, 120)}

        await alice.close()
        await wait_for(lambda: len(sink.removed) == 2)
    finally:
        await harness.close()
        sinks.unregister_sink("test-recorder")
    assert sink.closed == 1


@pytest.mark.slow
async def test_a_sinks_decoded_tracks_follow_the_rules_and_decoding_stops_with_them():
    """A recorder hears no muted microphone, and a source recorded once does not go on
    decoding for the rest of the class."""
    from classrooms.media.room import Rules
    from tests.classrooms.conftest import MediaHarness

    built: list[RecordingSink] = []
    sinks.register_sink("test-recorder", lambda room_id: built.append(RecordingSink(room_id)))
    harness = MediaHarness(room_id=8)
    try:
        await harness.join("a", 1, tone=440)
        await wait_for(lambda: harness.room.published, 20)
        published = next(iter(harness.room.published.values()))
        heard: list[float] = []

        async def listen(track) -> None:
            with contextlib.suppress(MediaStreamError):
                while True:
                    await track.recv()
                    heard.append(time.monotonic())

        track = published.info.decoded()
        reader = asyncio.ensure_future(listen(track))
        await wait_for(lambda: len(heard) > 10, 20)
        assert published.source.decoding

        harness.room.apply_rules({1: Rules(mic=False)})
        await asyncio.sleep(0.5)
        muted_at = time.monotonic()
        await asyncio.sleep(1.0)
        assert not [t for t in heard if t > muted_at]  # nothing of a muted microphone
        harness.room.apply_rules({})
        await wait_for(lambda: heard[-1] > muted_at + 1.0, 10)

        track.stop()
        await asyncio.gather(reader, return_exceptions=True)
        assert not published.source.decoding  # nobody reads decoded frames any more
        assert not published.sink_tracks
    finally:
        await harness.close()
        sinks.unregister_sink("test-recorder")
