"""Trainers' changes: rename, retention, delete (file removed), the purge command; bad input."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from recordings.models import Recording
from tests.recordings.conftest import stored_path

NUL = "\x00"


def test_a_trainer_renames_a_recording(world, api, make_recording):
    recording = make_recording(world.session)
    response = api(world.trainer).patch(f"/recordings/{recording.pk}", {"title": "  Séance  2 "})
    assert response.status_code == 200
    assert response.json()["title"] == "Séance 2"
    listed = api(world.participant).get(f"/sessions/{world.session.pk}/recordings").json()
    assert [r["title"] for r in listed] == ["Séance 2"]


def test_retention_counts_from_the_day_of_the_class(world, api, make_recording):
    recording = make_recording(world.session, started_at=timezone.now() - timedelta(days=10))
    trainer = api(world.trainer)
    shown = trainer.patch(f"/recordings/{recording.pk}", {"retention_days": 30}).json()
    recorded_on = timezone.localdate() - timedelta(days=10)
    assert shown["expires_on"] == (recorded_on + timedelta(days=30)).isoformat()
    kept = trainer.patch(f"/recordings/{recording.pk}", {"retention_days": None}).json()
    assert kept["expires_on"] is None


@pytest.mark.django_db(transaction=True)
def test_deleting_removes_the_file_once_committed(world, api, make_recording):
    recording = make_recording(world.session)
    path = stored_path(recording)
    assert path.exists()
    assert api(world.trainer).delete(f"/recordings/{recording.pk}").status_code == 204
    assert not Recording.objects.filter(pk=recording.pk).exists()
    assert not path.exists()


@pytest.mark.django_db(transaction=True)
def test_the_purge_command_deletes_expired_recordings_and_their_files(world, make_recording):
    today = timezone.localdate()
    expired = make_recording(world.session, title="Ancienne", expires_on=today - timedelta(days=1))
    last_day = make_recording(world.session, title="Dernier jour", expires_on=today)
    forever = make_recording(world.session, title="Gardée")
    out = StringIO()
    call_command("purge_recordings", stdout=out)
    assert "1 enregistrement(s) supprimé(s)" in out.getvalue()
    assert set(Recording.objects.values_list("title", flat=True)) == {"Dernier jour", "Gardée"}
    assert not stored_path(expired).exists()
    assert stored_path(last_day).exists() and stored_path(forever).exists()


def test_a_running_segment_cannot_be_deleted(world, api, media_dirs):
    running = Recording.objects.create(scope=world.session.scope, title="En cours", room_id=4)
    response = api(world.trainer).delete(f"/recordings/{running.pk}")
    assert response.status_code == 409
    assert Recording.objects.filter(pk=running.pk).exists()


PATCHES = [
    pytest.param({"raw": "{oops"}, 400, "body", id="malformed json"),
    pytest.param({"raw": "[1, 2]"}, 422, "body", id="a list"),
    pytest.param({"body": {"title": 12}}, 422, "title", id="title not a string"),
    pytest.param({"body": {"title": ""}}, 422, "title", id="empty title"),
    pytest.param({"body": {"title": "   "}}, 422, "title", id="blank title"),
    pytest.param({"body": {"title": None}}, 422, "title", id="null title"),
    pytest.param({"body": {"title": "x" * 201}}, 422, "title", id="title too long"),
    pytest.param({"body": {"title": f"a{NUL}b"}}, 422, "title", id="NUL in title"),
    pytest.param({"body": {"retention_days": "un an"}}, 422, "retention_days", id="days text"),
    pytest.param({"body": {"retention_days": 0}}, 422, "retention_days", id="zero days"),
    pytest.param({"body": {"retention_days": 10**20}}, 422, "retention_days", id="huge days"),
    pytest.param({"body": {"retention_days": 1.5}}, 422, "retention_days", id="fractional"),
    pytest.param({"body": {"owner": 3}}, 422, "owner", id="unknown field"),
    pytest.param({"raw": json.dumps({"title": "t" * 2_000_000})}, 413, "body", id="huge body"),
]


@pytest.mark.parametrize(("payload", "status", "field"), PATCHES)
def test_bad_changes_are_refused_naming_the_field_and_change_nothing(
    world, api, make_recording, payload, status, field
):
    recording = make_recording(world.session)
    response = api(world.trainer).patch(f"/recordings/{recording.pk}", **payload)
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] in {"invalid", "too_large"}
    assert error["details"]["field"] == field
    recording.refresh_from_db()
    assert recording.title == "Classe du lundi" and recording.expires_on is None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/recordings/999999"),
        ("patch", "/recordings/999999"),
        ("get", "/sessions/999999/recordings"),
    ],
)
def test_unknown_ids_get_404(world, api, method, path):
    me = api(world.trainer)
    response = me.patch(path, {"title": "x"}) if method == "patch" else getattr(me, method)(path)
    assert response.status_code in {403, 404}
    assert response.json()["error"]["code"] in {"not_found", "forbidden"}


@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("get", f"/recordings/{10**20}", "recording_id"),
        ("get", f"/recordings/{10**20}/media?t=x", "recording_id"),
        ("delete", f"/recordings/{2**64}", "recording_id"),
        ("get", f"/series/{10**20}/recordings", "series_id"),
    ],
)
def test_ids_past_64_bits_are_invalid(world, api, method, path, field):
    response = getattr(api(world.trainer), method)(path)
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == field


@pytest.mark.parametrize("path", ["/recordings/abc", "/recordings/-1", "/recordings/1.5"])
def test_ids_that_are_not_numbers_are_refused(world, api, path):
    response = api(world.trainer).get(path)
    assert response.status_code in {404, 422}


def test_a_trainer_cannot_touch_another_sessions_recording(world, api, make_recording):
    from tests import factories

    other_trainer = factories.member(world.other_session, "trainer").user
    recording = make_recording(world.session)
    me = api(other_trainer)
    assert me.patch(f"/recordings/{recording.pk}", {"title": "Piraté"}).status_code == 403
    assert me.delete(f"/recordings/{recording.pk}").status_code == 403
    recording.refresh_from_db()
    assert recording.title == "Classe du lundi" and stored_path(recording).exists()
