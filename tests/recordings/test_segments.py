"""A segment's life on the recorder host's side: begun, finished, failed, recovered."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from parcours.errors import ErrorCode, ServiceError
from recordings import selectors, services
from recordings.media.repair import probe
from recordings.models import Recording
from tests.recordings.media import write_webm


@pytest.fixture
def segment(world, media_dirs, capture_events):
    return services.begin_segment(actor=world.trainer, scope=world.session.scope, room_id=12)


def test_beginning_tells_everyone_in_the_room_and_names_the_part(world, segment, capture_events):
    assert segment.state == Recording.State.RECORDING
    assert segment.title.startswith(world.session.title) and segment.title.endswith("partie 1")
    assert selectors.running_in_room(12) == segment
    [(topic, event)] = capture_events.events
    assert topic == "classroom:12" and event.type == "recording.started"
    assert event.recording_id == segment.pk


def test_a_second_segment_cannot_start_while_one_runs(world, segment):
    with pytest.raises(ServiceError) as refused:
        services.begin_segment(actor=world.trainer, scope=world.session.scope, room_id=12)
    assert refused.value.code == ErrorCode.CONFLICT


def test_finishing_stores_the_file_and_makes_it_watchable(world, api, segment, capture_events):
    spool = Path(segment.spool_path)
    spool.parent.mkdir(parents=True, exist_ok=True)
    write_webm(spool, 2.0)
    services.finish_segment(recording=segment, seconds=2.0)
    segment.refresh_from_db()
    assert segment.state == Recording.State.READY and segment.seconds == 2.0
    assert segment.size == Path(segment.file.path).stat().st_size > 0
    assert not spool.exists()
    assert selectors.running_in_room(12) is None
    assert capture_events.types("classroom:12") == ["recording.started", "recording.stopped"]
    # The next segment of the same class is part 2.
    second = services.begin_segment(actor=world.trainer, scope=world.session.scope, room_id=12)
    assert second.title.endswith("partie 2")


def test_a_failed_recorder_with_a_playable_part_keeps_it_with_a_note(segment, capture_events):
    spool = Path(segment.spool_path)
    spool.parent.mkdir(parents=True, exist_ok=True)
    write_webm(spool, 2.0)
    services.fail_segment(recording=segment, reason="disque plein")
    segment.refresh_from_db()
    assert segment.state == Recording.State.READY
    assert "interrompu" in segment.note and "disque plein" in segment.note
    assert probe(Path(segment.file.path)).seconds == pytest.approx(2.0, abs=0.5)
    assert list(spool.parent.iterdir()) == []


def test_a_failed_recorder_with_nothing_playable_is_marked_failed(segment, capture_events):
    spool = Path(segment.spool_path)
    spool.parent.mkdir(parents=True, exist_ok=True)
    spool.write_bytes(b"\x1a\x45\xdf\xa3" + bytes(100))
    services.fail_segment(recording=segment, reason="encodeur arrêté")
    segment.refresh_from_db()
    assert segment.state == Recording.State.FAILED and segment.note == "encodeur arrêté"
    assert not segment.file and not spool.exists()
    stopped = [e for _, e in capture_events.events if e.type == "recording.stopped"]
    assert stopped[0].state == "failed"


def test_segments_whose_host_stopped_vouching_are_settled(world, segment, media_dirs):
    alive = services.begin_segment(actor=world.trainer, scope=world.session.scope, room_id=13)
    Recording.objects.filter(pk=segment.pk).update(
        alive_until=timezone.now() - timedelta(seconds=1)
    )
    settled = services.recover_interrupted()
    assert [r.pk for r in settled] == [segment.pk]
    segment.refresh_from_db()
    alive.refresh_from_db()
    assert segment.state == Recording.State.FAILED  # its spool never got a byte
    assert alive.state == Recording.State.RECORDING


def test_keep_alive_renews_the_claim_of_a_running_segment(segment):
    Recording.objects.filter(pk=segment.pk).update(alive_until=timezone.now())
    services.keep_alive(recording_id=segment.pk)
    segment.refresh_from_db()
    assert segment.alive_until > timezone.now() + timedelta(seconds=30)
    assert services.recover_interrupted() == []
