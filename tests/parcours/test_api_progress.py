"""Progress bars, completing activities, finishing a training and the attestation PDF."""

import io
from datetime import date

import pytest
from pypdf import PdfReader

from parcours.models import Activity, ActivityCompletion, Attestation, Membership, Profile
from tests import factories

PROGRESS_FIELDS = {"user_id", "name", "completed", "total", "percent", "last_visit"}
TRACKING_WORDS = ("time", "spent", "duration", "connection", "click", "page")


def _activities(session, *, trainer_only: bool = False) -> list[Activity]:
    return list(
        Activity.objects.filter(section__parcours=session.parcours, trainer_only=trainer_only)
    )


def _progress(api, user, session) -> dict[int, dict]:
    response = api(user).get(f"/sessions/{session.pk}/progress")
    assert response.status_code == 200, response.content
    return {row["user_id"]: row for row in response.json()}


def _assert_no_time_spent(rows) -> None:
    for row in rows:
        assert set(row) == PROGRESS_FIELDS
        assert not [key for key in row if any(word in key for word in TRACKING_WORDS)]


def test_a_participant_gets_only_their_own_bar_without_last_visit(world, api):
    Profile.objects.filter(user=world.other_participant).update(last_visit=date(2026, 1, 5))
    rows = _progress(api, world.participant, world.session)
    assert list(rows) == [world.participant.pk]
    assert rows[world.participant.pk]["last_visit"] is None
    _assert_no_time_spent(rows.values())


@pytest.mark.parametrize("standing", ["trainer", "tutor"])
def test_trainers_and_tutors_get_every_bar_with_the_last_visit_date(world, api, standing):
    Profile.objects.filter(user=world.other_participant).update(last_visit=date(2026, 1, 5))
    rows = _progress(api, world.by_standing(standing), world.session)
    assert sorted(rows) == sorted([world.participant.pk, world.other_participant.pk])
    assert rows[world.other_participant.pk]["last_visit"] == "2026-01-05"
    _assert_no_time_spent(rows.values())


@pytest.mark.parametrize(
    "standing", ["inspector", "admin", "admin_granted", "designer", "national", "outsider"]
)
def test_nobody_outside_the_teaching_team_reads_progress(world, api, standing):
    response = api(world.by_standing(standing)).get(f"/sessions/{world.session.pk}/progress")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_completing_an_activity_moves_the_bar_and_undo_moves_it_back(world, api):
    first, second = _activities(world.session)[:2]
    client = api(world.participant)
    base = f"/sessions/{world.session.pk}/activities"
    assert client.post(f"{base}/{first.pk}/complete").status_code == 204
    assert client.post(f"{base}/{second.pk}/complete").status_code == 204
    assert client.post(f"{base}/{second.pk}/complete").status_code == 204  # twice: one tick
    row = _progress(api, world.participant, world.session)[world.participant.pk]
    assert (row["completed"], row["total"], row["percent"]) == (2, 4, 50)
    assert _progress(api, world.trainer, world.session)[world.participant.pk]["percent"] == 50
    assert client.delete(f"{base}/{second.pk}/complete").status_code == 204
    row = _progress(api, world.participant, world.session)[world.participant.pk]
    assert (row["completed"], row["percent"]) == (1, 25)
    assert _progress(api, world.trainer, world.session)[world.other_participant.pk]["percent"] == 0


def test_the_session_outline_shows_which_activities_the_participant_completed(world, api):
    first = _activities(world.session)[0]
    api(world.participant).post(f"/sessions/{world.session.pk}/activities/{first.pk}/complete")
    detail = api(world.participant).get(f"/sessions/{world.session.pk}").json()
    done = [a["id"] for s in detail["sections"] for a in s["activities"] if a["completed"]]
    assert done == [first.pk]


def test_a_trainer_only_activity_cannot_be_completed_by_a_participant(world, api):
    (guide,) = _activities(world.session, trainer_only=True)
    response = api(world.participant).post(
        f"/sessions/{world.session.pk}/activities/{guide.pk}/complete"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert not ActivityCompletion.objects.exists()


def test_an_activity_of_another_parcours_cannot_be_completed_in_this_session(world, api):
    foreign = _activities(world.other_session)[0]
    response = api(world.participant).post(
        f"/sessions/{world.session.pk}/activities/{foreign.pk}/complete"
    )
    assert response.status_code == 404
    assert not ActivityCompletion.objects.exists()


@pytest.mark.parametrize("standing", ["trainer", "tutor", "admin_granted", "outsider"])
def test_only_participants_tick_activities(world, api, standing):
    activity = _activities(world.session)[0]
    response = api(world.by_standing(standing)).post(
        f"/sessions/{world.session.pk}/activities/{activity.pk}/complete"
    )
    assert response.status_code == 403
    assert not ActivityCompletion.objects.exists()


@pytest.mark.parametrize("method", ["post", "delete"])
def test_progress_is_frozen_once_the_session_has_ended(world, api, method):
    activity = _activities(world.session)[0]
    api(world.participant).post(f"/sessions/{world.session.pk}/activities/{activity.pk}/complete")
    world.session.ends_on = factories.days_from_today(-1)
    world.session.save()
    response = getattr(api(world.participant), method)(
        f"/sessions/{world.session.pk}/activities/{activity.pk}/complete"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "frozen"
    assert ActivityCompletion.objects.count() == 1


def _finish(api, actor, session, user):
    return api(actor).post(f"/sessions/{session.pk}/members/{user.pk}/finish")


def test_finishing_a_training_issues_one_attestation_however_often_it_is_asked(world, api):
    first = _finish(api, world.trainer, world.session, world.participant)
    assert first.status_code == 200
    again = _finish(api, world.trainer, world.session, world.participant)
    assert again.json() == first.json()
    assert first.json()["url"] == f"/api/v1/attestations/{first.json()['id']}.pdf"
    assert Attestation.objects.count() == 1
    membership = Membership.objects.get(session=world.session, user=world.participant)
    assert membership.finished_on is not None


@pytest.mark.parametrize(
    ("standing", "status"),
    [
        ("trainer", 200),
        ("tutor", 200),
        ("participant", 403),
        ("admin", 403),
        ("admin_granted", 403),
        ("inspector", 403),
        ("outsider", 403),
    ],
)
def test_who_may_mark_a_training_finished(world, api, standing, status):
    response = _finish(api, world.by_standing(standing), world.session, world.other_participant)
    assert response.status_code == status
    assert Attestation.objects.exists() is (status == 200)


def test_a_trainer_cannot_be_marked_finished_as_if_a_participant(world, api):
    response = _finish(api, world.trainer, world.session, world.tutor)
    assert response.status_code == 404
    assert not Attestation.objects.exists()


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(page.extract_text() for page in reader.pages)


def test_the_attestation_is_a_pdf_naming_the_person_the_parcours_and_its_duration(world, api):
    Profile.objects.filter(user=world.participant).update(school="École Jules-Ferry")
    url = _finish(api, world.trainer, world.session, world.participant).json()["url"]
    response = api(world.participant).get(url.removeprefix("/api/v1"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = _pdf_text(response.content)
    assert "Participant Test" in text
    assert "École Jules-Ferry" in text
    assert world.session.parcours.title in text
    assert "9 h" in text
    assert "6 h" in text and "3 h" in text
    lowered = text.lower()
    for tracked in ("temps passé", "temps de connexion", "connexion", "clic"):
        assert tracked not in lowered
    assert "Participant2" not in text


@pytest.mark.parametrize(
    ("standing", "status"),
    [
        ("participant", 200),
        ("trainer", 200),
        ("admin", 200),
        ("admin_granted", 200),
        ("other_participant", 403),
        ("tutor", 403),
        ("inspector", 403),
        ("designer", 403),
        ("national", 403),
        ("outsider", 403),
    ],
)
def test_only_the_person_the_trainers_and_admins_get_an_attestation(world, api, standing, status):
    attestation_id = _finish(api, world.trainer, world.session, world.participant).json()["id"]
    response = api(world.by_standing(standing)).get(f"/attestations/{attestation_id}.pdf")
    assert response.status_code == status
    if status == 403:
        assert response.json()["error"]["code"] == "forbidden"
        assert not response.content.startswith(b"%PDF")
