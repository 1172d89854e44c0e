"""Playback: byte ranges a player can seek with, and links that work for one member only."""

from __future__ import annotations

from datetime import timedelta

import av
import pytest
from django.core import signing
from django.utils import timezone

from parcours.models import Membership
from recordings.playback import SALT


@pytest.fixture
def watched(world, api, make_recording):
    """A recording, the participant's API client and their playback link."""
    recording = make_recording(world.session)
    me = api(world.participant)
    link = me.get(f"/recordings/{recording.pk}").json()["playback_url"]
    return recording, me, link


def get(client, me, url, **headers):
    return client.get(url, headers=me.headers | headers)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, None),
        ("bytes=-50", -50, None),
        ("bytes=1000-1999", 1000, 1999),
        ("bytes=10-99999999", 10, None),
    ],
)
def test_a_range_request_gets_206_and_exactly_those_bytes(
    client, watched, webm_bytes, header, first, last
):
    _recording, me, link = watched
    response = get(client, me, link, Range=header)
    size = len(webm_bytes)
    expected = webm_bytes[first : None if last is None else last + 1]
    assert response.status_code == 206
    assert body(response) == expected
    start = first if first >= 0 else size + first
    assert response["Content-Range"] == f"bytes {start}-{start + len(expected) - 1}/{size}"
    assert response["Content-Length"] == str(len(expected))
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/webm"
    assert response["Cache-Control"] == "private, no-store"


def test_without_a_range_the_whole_file_is_sent_and_it_plays(client, watched, webm_bytes, tmp_path):
    _recording, me, link = watched
    response = get(client, me, link)
    assert response.status_code == 200
    data = body(response)
    assert data == webm_bytes
    copy = tmp_path / "download.webm"
    copy.write_bytes(data)
    with av.open(str(copy)) as container:
        assert sorted(s.type for s in container.streams) == ["audio", "video"]
        assert container.duration / 1_000_000 == pytest.approx(3.0, abs=0.5)


def test_seeking_reads_the_middle_of_the_file_from_a_range(client, watched, webm_bytes):
    """A player seeking to the middle asks for the bytes from there: they are the file's."""
    _recording, me, link = watched
    middle = len(webm_bytes) // 2
    response = get(client, me, link, Range=f"bytes={middle}-")
    assert body(response) == webm_bytes[middle:]


@pytest.mark.parametrize("header", ["bytes=999999999-", "bytes=50-10", "bytes=-0"])
def test_a_range_outside_the_file_gets_416_with_the_size(client, watched, webm_bytes, header):
    _recording, me, link = watched
    response = get(client, me, link, Range=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(webm_bytes)}"
    assert response.json()["error"]["code"] == "invalid"


@pytest.mark.parametrize(
    "header", ["bytes=0-1,5-9", "octets=0-10", "bytes=abc", "bytes=" + "9" * 40 + "-"]
)
def test_a_range_header_not_understood_is_ignored_and_the_file_sent(
    client, watched, webm_bytes, header
):
    _recording, me, link = watched
    response = get(client, me, link, Range=header)
    assert response.status_code == 200
    assert body(response) == webm_bytes


def test_a_link_copied_to_another_member_does_not_play_for_them(world, api, client, watched):
    recording, _me, link = watched
    other = api(world.other_participant)
    response = get(client, other, link)
    assert response.status_code == 403
    assert response.json()["error"]["details"]["field"] == "t"
    # Their own link works: the recording is theirs to watch, the link is not.
    own = other.get(f"/recordings/{recording.pk}").json()["playback_url"]
    assert get(client, other, own, Range="bytes=0-1").status_code == 206


def test_a_link_used_without_being_logged_in_is_refused(client, watched):
    _recording, _me, link = watched
    response = client.get(link)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_link_stops_working_after_its_expiry(client, watched, settings, monkeypatch):
    _recording, me, link = watched
    later = timezone.now() + timedelta(seconds=settings.RECORDINGS_PLAYBACK_TTL + 60)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = get(client, me, link)
    assert response.status_code == 403


def test_a_member_removed_after_getting_a_link_can_no_longer_use_it(world, client, watched):
    _recording, me, link = watched
    Membership.objects.filter(session=world.session, user=world.participant).delete()
    assert get(client, me, link).status_code == 403


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "\x00",
        signing.dumps({"r": 1, "u": 1, "e": 2**62}, salt="another.salt"),
        signing.dumps(["r", "u"], salt=SALT),
    ],
    ids=["empty", "garbage", "nul", "other-salt", "wrong-shape"],
)
def test_a_forged_or_malformed_link_is_refused(client, watched, token):
    _recording, me, link = watched
    response = client.get(link.split("?")[0], {"t": token}, headers=me.headers)
    assert response.status_code in {403, 422}
    assert response.json()["error"]["code"] in {"forbidden", "invalid"}


def test_a_link_for_one_recording_does_not_open_another(world, client, watched, make_recording):
    _recording, me, link = watched
    other = make_recording(world.session, title="Autre partie")
    token = link.split("?t=")[1]
    response = client.get(f"/api/v1/recordings/{other.pk}/media", {"t": token}, headers=me.headers)
    assert response.status_code == 403


def test_a_recording_past_its_retention_is_gone_for_everyone(world, api, client, watched):
    recording, me, link = watched
    recording.expires_on = timezone.localdate() - timedelta(days=1)
    recording.save()
    assert get(client, me, link).status_code == 404
    listed = api(world.trainer).get(f"/sessions/{world.session.pk}/recordings").json()
    assert listed == []


def test_a_failed_recording_is_listed_as_failed_without_a_link(world, api, make_recording):
    failed = make_recording(world.session, title="Raté", note="le serveur s'est arrêté")
    failed.state = failed.State.FAILED
    failed.save()
    shown = api(world.participant).get(f"/recordings/{failed.pk}").json()
    assert shown["state"] == "failed" and shown["state_label"] == "échec de l'enregistrement"
    assert shown["playback_url"] is None and shown["note"]
