"""Recording a live classroom: moderators start and stop it from the room, everyone there
is told at once and late joiners see it too, and the recorder runs where the room's media
runs (here the embedded default: the SFU's own event loop in this process), fed through
the SFU's sink hook and finishing its file on stop, at the class's end, or when the room's
media closes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from django.urls import reverse

from classrooms import live
from classrooms import services as classrooms
from classrooms.media.sinks import build_sinks
from recordings import services
from recordings.live import RoomRecorder
from recordings.models import Recording
from tests.conftest import STANDINGS
from tests.realtime.support import connect
from tests.recordings.media import read_recording

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(90)]

STAFF = {"tutor", "trainer"}


@pytest.fixture(autouse=True)
def embedded_media(transactional_db, settings, media_dirs):
    """The room's media in this process; every room it hosts is closed after the test
    (before the database is emptied: closing finishes and stores a running segment)."""
    settings.CLASSROOM_MEDIA_EMBEDDED = True
    yield
    host = live._embedded
    if host is not None:
        host.call(host.host.close(), timeout=60)


@pytest.fixture
def room(world):
    room = classrooms.create_room(scope=world.session.scope, actor=world.trainer, title="Classe")
    return classrooms.start_class(room=room, actor=world.trainer)


def settled(recording: Recording, timeout: float = 20.0) -> Recording:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        recording.refresh_from_db()
        if recording.state != Recording.State.RECORDING:
            return recording
        time.sleep(0.1)
    raise AssertionError("the segment was never finished")


def hosted_sink(room_id: int) -> RoomRecorder:
    return live.embedded().host.rooms[room_id].media.sinks[services.SINK]


def test_every_classroom_sfu_gets_a_recording_sink():
    assert isinstance(build_sinks(5)[services.SINK], RoomRecorder)


def view(api, user, room):
    return api(user).get(f"/classrooms/{room.pk}")


@pytest.mark.parametrize("standing", STANDINGS)
def test_who_may_start_and_stop_recording_a_live_class(world, api, room, standing):
    me = api(world.by_standing(standing))
    started = me.post(f"/classrooms/{room.pk}/recordings")
    if standing not in STAFF:
        assert started.status_code == 403, started.content
        assert started.json()["error"]["code"] == "forbidden"
        assert not Recording.objects.exists()
        running = services.start_in_room(actor=world.trainer, room_id=room.pk)
        stopped = me.post(f"/recordings/{running.pk}/stop")
        assert stopped.status_code == 403
        time.sleep(0.5)
        assert hosted_sink(room.pk).segment is not None  # still recording
        return
    assert started.status_code == 201, started.content
    shown = started.json()
    assert shown["state"] == "recording" and shown["room_id"] == room.pk
    assert shown["playback_url"] is None
    time.sleep(1.0)
    stopped = me.post(f"/recordings/{shown['id']}/stop")
    assert stopped.status_code == 202
    recording = settled(Recording.objects.get(pk=shown["id"]))
    assert recording.state == Recording.State.READY
    assert read_recording(Path(recording.file.path))["kinds"] == ["audio", "video"]


async def test_everyone_in_the_room_is_told_at_once_and_late_joiners_see_it(world, api, room):
    early, _ = await connect(world.participant)
    await early.subscribe(room.topic)
    recording = await database_sync_to_async(services.start_in_room)(
        actor=world.trainer, room_id=room.pk
    )
    started = await early.until(lambda f: f.get("type") == "recording.started")
    assert started["data"]["recording_id"] == recording.pk and started["seq"]

    # Someone who opens the room later reads it from the room's state.
    late = await database_sync_to_async(view)(api, world.other_participant, room)
    assert late.json()["status"]["recording"]["recording_id"] == recording.pk

    await database_sync_to_async(services.stop_in_room)(actor=world.trainer, recording=recording)
    stopped = await early.until(lambda f: f.get("type") == "recording.stopped", timeout=20)
    assert stopped["data"] == {
        "recording_id": recording.pk,
        "room_id": room.pk,
        "state": "ready",
        "seconds": stopped["data"]["seconds"],
    }
    after = await database_sync_to_async(view)(api, world.other_participant, room)
    assert "recording" not in after.json()["status"]
    await early.close()


def test_the_room_page_shows_the_badge_to_someone_arriving_during_a_recording(world, client, room):
    services.start_in_room(actor=world.trainer, room_id=room.pk)
    client.force_login(world.participant)
    page = client.get(reverse("classrooms:room", args=[room.pk])).content.decode()
    assert '<span id="recording-badge" class="badge frozen" role="status">' in page
    assert "Enregistrement en cours" in page


def test_ending_the_class_finishes_the_running_segment(world, room):
    recording = services.start_in_room(actor=world.trainer, room_id=room.pk)
    time.sleep(1.5)
    classrooms.end_class(room=room, actor=world.trainer)
    recording = settled(recording)
    assert recording.state == Recording.State.READY
    assert 0.5 <= recording.seconds <= 10


def test_the_room_media_closing_finishes_the_running_segment(world, room):
    """What happens when the last participant leaves: the SFU closes the room's media."""
    recording = services.start_in_room(actor=world.trainer, room_id=room.pk)
    time.sleep(1.0)
    host = live.embedded()
    host.call(host.host.close_room(room.pk))
    recording.refresh_from_db()  # closing waits for the segment to be stored
    assert recording.state == Recording.State.READY


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("not_live", "On n'enregistre qu'une classe en cours."),
        ("running", "Un enregistrement est déjà en cours dans cette classe."),
    ],
)
def test_starting_is_refused_unless_the_class_is_live_and_not_recording(
    world, api, room, change, message
):
    if change == "not_live":
        classrooms.end_class(room=room, actor=world.trainer)
    else:
        services.start_in_room(actor=world.trainer, room_id=room.pk)
    before = list(Recording.objects.values_list("id", "state"))
    response = api(world.trainer).post(f"/classrooms/{room.pk}/recordings")
    assert response.status_code == 409
    assert response.json()["error"]["message"] == message
    assert list(Recording.objects.values_list("id", "state")) == before


def test_a_dead_recorders_segment_is_settled_before_a_new_one_starts(world, room):
    stale = Recording.objects.create(
        scope=world.session.scope, title="Interrompu", room_id=room.pk, spool_path="/nonexistent"
    )
    Recording.objects.filter(pk=stale.pk).update(alive_until="2000-01-01T00:00:00Z")
    fresh = services.start_in_room(actor=world.trainer, room_id=room.pk)
    stale.refresh_from_db()
    assert stale.state == Recording.State.FAILED
    assert fresh.state == Recording.State.RECORDING


@pytest.mark.parametrize("classroom_id", ["999999", "99999999999999999999999", "abc"])
def test_unknown_or_malformed_rooms_are_refused(world, api, classroom_id):
    response = api(world.trainer).post(f"/classrooms/{classroom_id}/recordings")
    assert response.status_code in {404, 422}
    assert response.json()["error"]["code"] in {"not_found", "invalid"}
    assert not Recording.objects.exists()


def test_stopping_twice_is_a_conflict(world, api, room):
    # The moderator has the room open, as in class: the segment then lasts the time of two
    # clicks. Stopped by a process's first request instead, it lasted as long as that
    # request's imports (tens of seconds on a busy machine), all of it video the recorder
    # had to encode before the segment could settle.
    assert view(api, world.trainer, room).status_code == 200
    recording = services.start_in_room(actor=world.trainer, room_id=room.pk)
    assert api(world.trainer).post(f"/recordings/{recording.pk}/stop").status_code == 202
    settled(recording)
    again = api(world.trainer).post(f"/recordings/{recording.pk}/stop")
    assert again.status_code == 409


def test_the_room_lists_its_recordings_to_members_only(world, api, room, make_recording):
    mine = make_recording(world.session, title="Partie 1", room_id=room.pk)
    make_recording(world.session, title="Autre classe", room_id=room.pk + 1)
    listed = api(world.participant).get(f"/classrooms/{room.pk}/recordings").json()
    assert listed["can_record"] is False
    assert [r["id"] for r in listed["recordings"]] == [mine.pk]
    assert listed["recordings"][0]["playback_url"]
    assert api(world.tutor).get(f"/classrooms/{room.pk}/recordings").json()["can_record"]
    for standing in ("inspector", "admin_granted", "outsider"):
        refused = api(world.by_standing(standing)).get(f"/classrooms/{room.pk}/recordings")
        assert refused.status_code == 403


def test_a_segment_whose_recorder_died_shows_no_badge_and_stops_at_once(world, api, room):
    """A crashed worker leaves a row nobody vouches for: it is not shown as recording, and
    stopping it settles it at once (marked failed: there is no file to salvage)."""
    stale = Recording.objects.create(
        scope=world.session.scope, title="Interrompu", room_id=room.pk, spool_path="/nonexistent"
    )
    Recording.objects.filter(pk=stale.pk).update(alive_until="2000-01-01T00:00:00Z")
    assert "recording" not in view(api, world.participant, room).json()["status"]
    stopped = api(world.trainer).post(f"/recordings/{stale.pk}/stop")
    assert stopped.status_code == 202
    assert stopped.json()["state"] == "failed" and stopped.json()["note"]
