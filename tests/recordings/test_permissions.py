"""Who may list, watch, rename, delete, start and stop recordings: every standing, every action.

Expectations come from the platform's promise (issue 10, DESIGN.md): members of the
session only — participants, tutors, trainers — never inspectors, never administrators
even with an access grant, never outsiders; trainers alone rename and delete; moderators
(trainers and tutors) start and stop.
"""

from __future__ import annotations

import pytest

from parcours.errors import ErrorCode, ServiceError
from recordings import services
from recordings.models import Recording
from tests.conftest import STANDINGS
from tests.recordings.conftest import stored_path

MEMBERS = {"participant", "tutor", "trainer"}
EXPECTED = {
    "list": MEMBERS,
    "watch": MEMBERS,
    "rename": {"trainer"},
    "delete": {"trainer"},
    "start": {"tutor", "trainer"},
    "stop": {"tutor", "trainer"},
}


def fetch_media(client, api_client, url: str, **headers):
    return client.get(url, headers=api_client.headers | headers)


def attempt(action, who, world, api, client, recording) -> bool:
    """Try `action` as `who`; True if it was done, False if refused (and nothing changed)."""
    user = world.by_standing(who)
    me = api(user)
    if action == "list":
        response = me.get(f"/sessions/{world.session.pk}/recordings")
        if response.status_code == 200:
            assert [r["id"] for r in response.json()] == [recording.pk]
            return True
    elif action == "watch":
        response = me.get(f"/recordings/{recording.pk}")
        if response.status_code == 200:
            media = fetch_media(client, me, response.json()["playback_url"], Range="bytes=0-9")
            assert media.status_code == 206
            return True
        # Not even a member's own link opens it for them.
        member_link = api(world.participant).get(f"/recordings/{recording.pk}").json()
        media = fetch_media(client, me, member_link["playback_url"])
        assert media.status_code in {401, 403}
    elif action == "rename":
        response = me.patch(f"/recordings/{recording.pk}", {"title": "Nouveau titre"})
        recording.refresh_from_db()
        if response.status_code == 200:
            assert recording.title == "Nouveau titre"
            return True
        assert recording.title == "Classe du lundi"
    elif action == "delete":
        response = me.delete(f"/recordings/{recording.pk}")
        if response.status_code == 204:
            assert not Recording.objects.filter(pk=recording.pk).exists()
            return True
        assert stored_path(recording).exists()
    elif action in {"start", "stop"}:
        return _start_or_stop(action, user, world, recording)
    assert response.status_code in {401, 403}, response.content
    assert response.json()["error"]["code"] in {"forbidden", "unauthenticated"}
    return False


def _start_or_stop(action, user, world, recording) -> bool:
    try:
        if action == "start":
            services.begin_segment(actor=user, scope=world.session.scope, room_id=7)
        else:
            running = Recording.objects.create(
                scope=world.session.scope, title="En cours", room_id=8, spool_path="/nonexistent"
            )
            services.check_may_stop(actor=user, recording=running)
    except ServiceError as refused:
        assert refused.code == ErrorCode.FORBIDDEN
        assert not Recording.objects.filter(room_id=7).exists()
        return False
    return True


@pytest.mark.parametrize("standing", STANDINGS)
@pytest.mark.parametrize("action", list(EXPECTED))
def test_role_action_table(world, api, client, make_recording, capture_events, standing, action):
    recording = make_recording(world.session)
    assert attempt(action, standing, world, api, client, recording) is (
        standing in EXPECTED[action]
    )


@pytest.mark.parametrize("standing", ["inspector", "admin_granted", "outsider"])
def test_the_trust_frame_refusals_name_the_reason(world, api, make_recording, standing):
    recording = make_recording(world.session)
    response = api(world.by_standing(standing)).get(f"/recordings/{recording.pk}")
    assert response.status_code == 403
    assert response.json()["error"]["message"]


def test_members_of_another_session_see_none_of_its_recordings(world, api, make_recording):
    make_recording(world.session)
    theirs = make_recording(world.other_session, title="Leur classe")
    listed = api(world.outsider).get(f"/sessions/{world.other_session.pk}/recordings").json()
    assert [r["title"] for r in listed] == ["Leur classe"]
    mine = api(world.participant).get(f"/recordings/{theirs.pk}")
    assert mine.status_code == 403


@pytest.mark.parametrize(
    ("standing", "open_after_end", "expected"),
    [
        ("participant", True, 200),
        ("participant", False, 409),
        ("tutor", False, 200),
        ("trainer", False, 200),
        ("admin_granted", True, 403),
    ],
)
def test_after_the_end_recordings_follow_the_content_open_choice(
    world, api, client, make_recording, standing, open_after_end, expected
):
    recording = make_recording(world.session)
    world.session.state = world.session.State.CLOSED
    world.session.content_open_after_end = open_after_end
    world.session.save()
    me = api(world.by_standing(standing))
    assert me.get(f"/sessions/{world.session.pk}/recordings").status_code == expected
    detail = me.get(f"/recordings/{recording.pk}")
    assert detail.status_code == expected
    if expected == 409:
        assert detail.json()["error"]["code"] == "frozen"


def test_starting_is_refused_once_the_session_has_ended(world):
    world.session.state = world.session.State.CLOSED
    world.session.save()
    with pytest.raises(ServiceError) as refused:
        services.begin_segment(actor=world.trainer, scope=world.session.scope, room_id=3)
    assert refused.value.code == ErrorCode.FROZEN
