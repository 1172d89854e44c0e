"""Duplicating parcours and sections, access grants, the audit log and statistics."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from parcours.models import AccessGrant, Activity, AuditEntry, Parcours, Section
from tests import factories


def _national_parcours() -> Parcours:
    return factories.parcours("Parcours national", origin="national", activities=3)


@pytest.mark.parametrize("standing", ["designer", "admin"])
def test_designers_and_admins_copy_a_national_parcours_into_their_academy(world, api, standing):
    original = _national_parcours()
    response = api(world.by_standing(standing)).post(f"/parcours/{original.pk}/duplicate")
    assert response.status_code == 201, response.content
    body = response.json()
    copy = Parcours.objects.get(pk=body["id"])
    assert (body["origin"], body["academy"], body["duplicated_from_id"]) == (
        "academic",
        "normandie",
        original.pk,
    )
    assert copy.duplicated_from == original
    assert copy.title == "Parcours national (copie)"
    assert (copy.distance_minutes, copy.presence_minutes) == (360, 180)
    assert Activity.objects.filter(section__parcours=copy).count() == 4
    assert Activity.objects.filter(section__parcours=copy, trainer_only=True).count() == 1
    original.refresh_from_db()
    assert original.origin == "national"


def test_a_copy_may_be_given_its_own_title(world, api):
    original = _national_parcours()
    response = api(world.designer).post(
        f"/parcours/{original.pk}/duplicate", {"title": "Lecture — version Normandie"}
    )
    assert response.json()["title"] == "Lecture — version Normandie"


@pytest.mark.parametrize("standing", ["participant", "tutor", "trainer", "inspector", "national"])
def test_only_designers_and_admins_duplicate_a_parcours(world, api, standing):
    original = _national_parcours()
    before = Parcours.objects.count()
    response = api(world.by_standing(standing)).post(f"/parcours/{original.pk}/duplicate")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert Parcours.objects.count() == before


def test_an_unpublished_parcours_of_another_academy_cannot_be_copied(world, api):
    reunion = factories.academy("reunion", timezone="Indian/Reunion")
    foreign = factories.parcours("Parcours réunionnais", origin="academic", academy=reunion)
    before = Parcours.objects.count()
    for user in (world.designer, world.admin):
        response = api(user).post(f"/parcours/{foreign.pk}/duplicate")
        assert response.status_code == 403
    assert Parcours.objects.count() == before
    # Published in the inter-academic offer, it may be copied (into one's own academy).
    foreign.published = True
    foreign.save()
    response = api(world.designer).post(f"/parcours/{foreign.pk}/duplicate")
    assert response.status_code == 201
    assert response.json()["academy"] == "normandie"


def test_a_section_of_an_academic_parcours_is_copied_last_in_its_parcours(world, api):
    own = factories.parcours("Parcours normand", origin="academic", academy=factories.academy())
    section = own.sections.get()
    response = api(world.designer).post(f"/parcours/{own.pk}/sections/{section.pk}/duplicate")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["parcours_id"], body["position"], body["activities"]) == (own.pk, 2, 5)
    assert own.sections.count() == 2


def test_a_section_of_a_national_parcours_is_not_copied_in_place(world, api):
    original = _national_parcours()
    section = original.sections.get()
    response = api(world.admin).post(f"/parcours/{original.pk}/sections/{section.pk}/duplicate")
    assert response.status_code == 403
    assert original.sections.count() == 1


@pytest.mark.parametrize("standing", ["participant", "trainer", "inspector", "national"])
def test_only_designers_and_admins_duplicate_a_section(world, api, standing):
    own = factories.parcours("Parcours normand", origin="academic", academy=factories.academy())
    section = own.sections.get()
    response = api(world.by_standing(standing)).post(
        f"/parcours/{own.pk}/sections/{section.pk}/duplicate"
    )
    assert response.status_code == 403
    assert Section.objects.filter(parcours=own).count() == 1


def _grant(api, user, session, *, reason="Aide demandée par la formatrice", **delta):
    """An access grant asked through the API, against a help request of the session."""
    expires = timezone.now() + (timedelta(**delta) if delta else timedelta(hours=4))
    asked = factories.help_request(session)
    return api(user).post(
        f"/sessions/{session.pk}/access-grants",
        {"reason": reason, "expires_at": expires.isoformat(), "help_request_id": asked.pk},
    )


def test_an_admin_grants_themselves_access_and_the_grant_is_audited(world, api):
    response = _grant(api, world.admin, world.session)
    assert response.status_code == 201, response.content
    assert response.json()["reason"] == "Aide demandée par la formatrice"
    entries = AuditEntry.objects.filter(session=world.session, actor=world.admin)
    assert list(entries.values_list("action", "reason")) == [
        ("grant_created", "Aide demandée par la formatrice")
    ]
    detail = api(world.admin).get(f"/sessions/{world.session.pk}").json()
    assert detail["sections"] is not None


@pytest.mark.parametrize(
    ("reason", "delta", "field"),
    [
        ("   court   ", {}, "reason"),
        ("", {}, "reason"),
        ("Aide demandée par la formatrice", {"minutes": -5}, "expires_at"),
        ("Aide demandée par la formatrice", {"days": 31}, "expires_at"),
    ],
)
def test_a_grant_needs_a_real_reason_and_an_expiry_within_thirty_days(
    world, api, reason, delta, field
):
    response = _grant(api, world.admin, world.session, reason=reason, **delta)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["details"]["field"] == field
    assert not AccessGrant.objects.filter(grantee=world.admin).exists()
    assert not AuditEntry.objects.filter(actor=world.admin).exists()


def test_a_ten_character_reason_is_enough(world, api):
    assert _grant(api, world.admin, world.session, reason="trop court").status_code == 201


@pytest.mark.parametrize("standing", ["trainer", "tutor", "participant", "inspector", "national"])
def test_only_admins_of_the_academy_grant_access(world, api, standing):
    response = _grant(api, world.by_standing(standing), world.session)
    assert response.status_code == 403
    assert not AccessGrant.objects.filter(grantee=world.by_standing(standing)).exists()


def test_an_admin_of_another_academy_cannot_grant_access(world, api):
    reunion = factories.academy("reunion", timezone="Indian/Reunion")
    stranger = factories.platform_user("admin", academy_obj=reunion, username="admin-reunion")
    response = _grant(api, stranger, world.session)
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("standing", "status"),
    [
        ("trainer", 200),
        ("admin", 200),
        ("admin_granted", 200),
        ("tutor", 403),
        ("participant", 403),
        ("inspector", 403),
        ("national", 403),
        ("outsider", 403),
    ],
)
def test_who_reads_the_audit_log(world, api, standing, status):
    _grant(api, world.admin, world.session)
    response = api(world.by_standing(standing)).get(f"/sessions/{world.session.pk}/audit")
    assert response.status_code == status
    if status == 200:
        rows = response.json()
        assert [(r["actor"], r["action"], r["reason"]) for r in rows] == [
            ("Admin Test", "grant_created", "Aide demandée par la formatrice")
        ]


def test_a_trainer_reads_who_entered_the_session_and_why(world, api):
    api(world.admin_granted).get(f"/sessions/{world.session.pk}")
    rows = api(world.trainer).get(f"/sessions/{world.session.pk}/audit").json()
    assert [(r["actor"], r["action"], r["reason"]) for r in rows] == [
        ("Admin_Granted Test", "entered", "Assistance demandée par la formatrice")
    ]


def _stats_world(world):
    reunion = factories.academy("reunion", name="La Réunion", timezone="Indian/Reunion")
    big = factories.session(academy_obj=factories.academy(), title="Grande session")
    for rank in range(5):
        factories.member(big, "participant", username=f"nominatif{rank}", first_name="Zoé")
    far = factories.session(academy_obj=reunion, title="Session réunionnaise")
    factories.member(far, "participant", username="reunionnais", first_name="Nadia")
    return big, far


def test_national_statistics_cover_every_academy_and_name_nobody(world, api):
    big, far = _stats_world(world)
    response = api(world.national).get("/stats")
    assert response.status_code == 200
    rows = response.json()
    assert {row["academy"] for row in rows} == {"normandie", "reunion"}
    by_parcours = {row["parcours_id"]: row for row in rows}
    assert by_parcours[big.parcours_id]["enrolments"] == 5
    assert by_parcours[big.parcours_id]["sessions"] == 1
    assert by_parcours[far.parcours_id]["academy_name"] == "La Réunion"
    text = json.dumps(rows, ensure_ascii=False)
    for name in ("nominatif", "Zoé", "Nadia", "reunionnais", "participant", "Test", "Trainer"):
        assert name not in text


def test_counts_between_one_and_four_are_suppressed(world, api):
    _stats_world(world)
    rows = {row["parcours_id"]: row for row in api(world.national).get("/stats").json()}
    small = rows[world.session.parcours_id]  # two participants
    assert (small["enrolments"], small["finished"]) == (None, 0)
    lone = rows[world.other_session.parcours_id]  # one participant
    assert lone["enrolments"] is None


def test_an_admin_reads_the_statistics_of_their_own_academy_only(world, api):
    _stats_world(world)
    rows = api(world.admin).get("/stats").json()
    assert rows
    assert {row["academy"] for row in rows} == {"normandie"}


@pytest.mark.parametrize("standing", ["participant", "trainer", "tutor", "inspector", "designer"])
def test_statistics_are_for_national_users_and_admins_only(world, api, standing):
    response = api(world.by_standing(standing)).get("/stats")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
