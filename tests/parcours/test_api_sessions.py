"""The API as users meet it: tokens, /me, the session list and one session's detail."""

import pytest

from parcours.models import AuditEntry, Membership, Profile
from tests import factories

SESSION_FIELDS = {
    "id",
    "title",
    "parcours_id",
    "parcours_title",
    "academy",
    "starts_on",
    "ends_on",
    "state",
    "ended",
    "content_open_after_end",
    "role",
}


# Every route of parcours/api.py, with ids that exist: refused all the same without a token.
ROUTES = [
    ("get", "/me"),
    ("get", "/sessions"),
    ("get", "/sessions/{session}"),
    ("get", "/sessions/{session}/members"),
    ("get", "/sessions/{session}/members?format=csv"),
    ("delete", "/sessions/{session}/members/{participant}"),
    ("get", "/sessions/{session}/progress"),
    ("post", "/sessions/{session}/activities/{activity}/complete"),
    ("delete", "/sessions/{session}/activities/{activity}/complete"),
    ("put", "/sessions/{session}/content-open"),
    ("post", "/sessions/{session}/members/{participant}/finish"),
    ("get", "/attestations/{attestation}.pdf"),
    ("post", "/parcours/{parcours}/duplicate"),
    ("post", "/parcours/{parcours}/sections/{section}/duplicate"),
    ("post", "/sessions/{session}/access-grants"),
    ("get", "/sessions/{session}/audit"),
    ("get", "/stats"),
]


@pytest.mark.parametrize(("method", "template"), ROUTES)
def test_every_route_refuses_a_caller_without_credentials(world, api, method, template):
    from parcours import services

    attestation = services.finish_training(
        session=world.session, actor=world.trainer, participant_id=world.other_participant.pk
    )
    activity = world.session.parcours.sections.first().activities.first()
    path = template.format(
        session=world.session.pk,
        participant=world.participant.pk,
        activity=activity.pk,
        attestation=attestation.pk,
        parcours=world.session.parcours_id,
        section=activity.section_id,
    )
    body = {"content_open_after_end": False} if method == "put" else None
    response = getattr(api(None), method)(path, body=body)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert Membership.objects.filter(session=world.session, user=world.participant).exists()


@pytest.mark.parametrize(
    ("username", "password"),
    [("participant", "wrong-password"), ("nobody", factories.PASSWORD), ("participant", "")],
)
def test_a_wrong_password_or_unknown_user_gets_no_token(world, api, username, password):
    response = api(None).post("/auth/token", {"username": username, "password": password})
    assert response.status_code in {401, 422}
    assert "token" not in response.json()
    assert response.json()["error"]["code"] in {"unauthenticated", "invalid"}


def test_a_token_from_the_right_password_opens_the_api(world, api, client):
    response = api(None).post(
        "/auth/token", {"username": "participant", "password": factories.PASSWORD}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["username"] == "participant"
    forged = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}x"})
    assert forged.status_code == 401


def test_me_describes_the_caller_and_their_platform_roles(world, api):
    Profile.objects.filter(user=world.inspector).update(school="Circonscription")
    body = api(world.inspector).get("/me").json()
    assert body["username"] == "inspector"
    assert body["full_name"] == "Inspector Test"
    assert body["academy"] == "normandie"
    assert body["circonscription"] == "Rouen Nord"
    assert body["platform_roles"] == ["inspector"]
    assert api(world.participant).get("/me").json()["platform_roles"] == []


def test_a_member_lists_only_their_own_sessions_with_their_role(world, api):
    rows = api(world.participant).get("/sessions").json()
    assert [(r["id"], r["role"]) for r in rows] == [(world.session.pk, "participant")]
    rows = api(world.trainer).get("/sessions").json()
    assert [(r["id"], r["role"]) for r in rows] == [(world.session.pk, "trainer")]


def test_an_outsider_does_not_see_a_session_they_are_not_in(world, api):
    ids = [r["id"] for r in api(world.outsider).get("/sessions").json()]
    assert ids == [world.other_session.pk]


def test_an_inspector_lists_the_sessions_of_their_circonscription_with_summary_fields_only(
    world, api
):
    elsewhere = factories.session(title="Ailleurs", circonscription="Dieppe")
    rows = api(world.inspector).get("/sessions").json()
    assert [(r["id"], r["role"]) for r in rows] == [(world.session.pk, "inspector")]
    assert set(rows[0]) == SESSION_FIELDS
    assert elsewhere.pk not in [r["id"] for r in rows]


@pytest.mark.parametrize("standing", ["admin", "designer", "national"])
def test_platform_roles_without_membership_list_no_sessions(world, api, standing):
    assert api(world.by_standing(standing)).get("/sessions").json() == []


def _activities(detail: dict) -> list[dict]:
    return [a for section in detail["sections"] for a in section["activities"]]


def test_a_participant_sees_the_outline_without_trainer_only_activities(world, api):
    detail = api(world.participant).get(f"/sessions/{world.session.pk}").json()
    activities = _activities(detail)
    assert len(activities) == 4
    assert not any(a["trainer_only"] for a in activities)
    assert "Guide formateur 1" not in [a["title"] for a in activities]
    assert detail["teachers"] is None


@pytest.mark.parametrize("standing", ["trainer", "tutor"])
def test_trainers_and_tutors_see_every_activity_including_trainer_only(world, api, standing):
    detail = api(world.by_standing(standing)).get(f"/sessions/{world.session.pk}").json()
    activities = _activities(detail)
    assert len(activities) == 5
    assert [a["title"] for a in activities if a["trainer_only"]] == ["Guide formateur 1"]


def test_an_inspector_sees_trainers_and_teachers_with_schools_but_no_activities(world, api):
    Profile.objects.filter(user=world.participant).update(school="École Jules-Ferry")
    response = api(world.inspector).get(f"/sessions/{world.session.pk}")
    assert response.status_code == 200
    detail = response.json()
    assert detail["sections"] is None
    assert detail["trainers"] == ["Trainer Test"]
    teachers = sorted((t["name"], t["school"]) for t in detail["teachers"])
    assert teachers == [("Participant Test", "École Jules-Ferry"), ("Participant2 Test", "")]
    assert set(detail["teachers"][0]) == {"name", "school", "finished"}


def test_an_inspector_of_another_circonscription_cannot_open_the_session(world, api):
    stranger = factories.platform_user("inspector", circo="Dieppe", username="dieppe")
    response = api(stranger).get(f"/sessions/{world.session.pk}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_an_admin_without_a_grant_gets_the_summary_only_and_leaves_no_audit_entry(world, api):
    response = api(world.admin).get(f"/sessions/{world.session.pk}")
    assert response.status_code == 200
    detail = response.json()
    assert detail["sections"] is None
    assert detail["teachers"] is None
    assert detail["trainers"] == ["Trainer Test"]
    assert not AuditEntry.objects.filter(session=world.session, actor=world.admin).exists()


def test_an_admin_with_a_grant_enters_and_the_entry_is_audited_once_a_day(world, api):
    client = api(world.admin_granted)
    for _ in range(2):
        detail = client.get(f"/sessions/{world.session.pk}").json()
        assert len(_activities(detail)) == 5
    entries = AuditEntry.objects.filter(session=world.session, actor=world.admin_granted)
    assert list(entries.values_list("action", "reason")) == [
        ("entered", "Assistance demandée par la formatrice")
    ]


@pytest.mark.parametrize("standing", ["designer", "national", "outsider"])
def test_people_outside_the_session_cannot_see_it(world, api, standing):
    response = api(world.by_standing(standing)).get(f"/sessions/{world.session.pk}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_the_detail_gives_the_estimated_duration_of_the_parcours(world, api):
    detail = api(world.participant).get(f"/sessions/{world.session.pk}").json()
    assert (detail["distance_minutes"], detail["presence_minutes"]) == (360, 180)


def _end(session, *, content_open: bool = True) -> None:
    session.ends_on = factories.days_from_today(-1)
    session.starts_on = factories.days_from_today(-30)
    session.content_open_after_end = content_open
    session.save()


def test_after_the_end_a_participant_keeps_reading_while_content_stays_open(world, api):
    _end(world.session, content_open=True)
    detail = api(world.participant).get(f"/sessions/{world.session.pk}").json()
    assert detail["ended"] is True
    assert len(_activities(detail)) == 4


def test_once_the_trainer_closes_content_after_the_end_participants_stop_reading(world, api):
    _end(world.session, content_open=True)
    response = api(world.trainer).put(
        f"/sessions/{world.session.pk}/content-open", {"content_open_after_end": False}
    )
    assert response.status_code == 200
    assert response.json()["content_open_after_end"] is False
    participant_view = api(world.participant).get(f"/sessions/{world.session.pk}").json()
    assert participant_view["sections"] is None
    trainer_view = api(world.trainer).get(f"/sessions/{world.session.pk}").json()
    assert len(_activities(trainer_view)) == 5


@pytest.mark.parametrize(
    ("standing", "status"),
    [
        ("trainer", 200),
        ("tutor", 200),
        ("participant", 403),
        ("inspector", 403),
        ("admin", 403),
        ("admin_granted", 403),
        ("outsider", 403),
    ],
)
def test_only_trainers_and_tutors_choose_whether_content_stays_open(world, api, standing, status):
    response = api(world.by_standing(standing)).put(
        f"/sessions/{world.session.pk}/content-open", {"content_open_after_end": False}
    )
    assert response.status_code == status
    world.session.refresh_from_db()
    assert world.session.content_open_after_end is (status != 200)
