"""Member lists, their filters and CSV export, and withdrawing a member."""

import csv
import io

import pytest

from parcours import services
from parcours.models import AuditEntry, Membership, Profile


def _usernames(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(row["username"] for row in response.json())


@pytest.mark.parametrize(
    ("standing", "status"),
    [
        ("participant", 200),
        ("tutor", 200),
        ("trainer", 200),
        ("admin", 200),
        ("admin_granted", 200),
        ("inspector", 403),
        ("designer", 403),
        ("national", 403),
        ("outsider", 403),
    ],
)
def test_who_may_list_the_members_of_a_session(world, api, standing, status):
    response = api(world.by_standing(standing)).get(f"/sessions/{world.session.pk}/members")
    assert response.status_code == status
    if status == 200:
        assert sorted(r["username"] for r in response.json()) == [
            "participant",
            "participant2",
            "trainer",
            "tutor",
        ]
    else:
        assert response.json()["error"]["code"] == "forbidden"


def test_members_filter_by_role(world, api):
    client = api(world.participant)
    path = f"/sessions/{world.session.pk}/members"
    assert _usernames(client.get(f"{path}?role=trainer")) == ["trainer"]
    assert _usernames(client.get(f"{path}?role=participant")) == ["participant", "participant2"]


def test_members_filter_by_finished_training(world, api):
    services.finish_training(
        session=world.session, actor=world.trainer, participant_id=world.participant.pk
    )
    client = api(world.trainer)
    path = f"/sessions/{world.session.pk}/members"
    assert _usernames(client.get(f"{path}?finished=true")) == ["participant"]
    assert "participant" not in _usernames(client.get(f"{path}?finished=false"))


def test_members_filter_by_school(world, api):
    Profile.objects.filter(user=world.participant).update(school="École Jules-Ferry, Rouen")
    Profile.objects.filter(user=world.other_participant).update(school="École Pasteur")
    path = f"/sessions/{world.session.pk}/members"
    assert _usernames(api(world.trainer).get(f"{path}?school=jules")) == ["participant"]


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    # What French spreadsheets open as is: a byte-order mark, then ';' between fields.
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_a_trainer_exports_the_member_list_as_csv(world, api):
    Profile.objects.filter(user=world.participant).update(school="École Jules-Ferry")
    services.finish_training(
        session=world.session, actor=world.trainer, participant_id=world.participant.pk
    )
    rows = _csv(api(world.trainer).get(f"/sessions/{world.session.pk}/members?format=csv"))
    assert rows[0] == ["identifiant", "nom", "rôle", "établissement", "circonscription", "terminé"]
    by_username = {row[0]: row for row in rows[1:]}
    assert sorted(by_username) == ["participant", "participant2", "trainer", "tutor"]
    assert by_username["participant"] == [
        "participant",
        "Participant Test",
        "participant",
        "École Jules-Ferry",
        "Rouen Nord",
        "oui",
    ]
    assert by_username["participant2"][-1] == "non"


def test_the_csv_export_follows_the_filters(world, api):
    path = f"/sessions/{world.session.pk}/members?format=csv&role=participant"
    rows = _csv(api(world.admin).get(path))
    assert sorted(row[0] for row in rows[1:]) == ["participant", "participant2"]


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
def test_only_trainers_and_admins_export_the_member_list(world, api, standing, status):
    response = api(world.by_standing(standing)).get(
        f"/sessions/{world.session.pk}/members?format=csv"
    )
    assert response.status_code == status
    if status == 403:
        assert response.json()["error"]["code"] == "forbidden"
        assert b"participant2" not in response.content


def test_an_admin_export_is_written_to_the_audit_log_and_a_trainer_export_is_not(world, api):
    api(world.trainer).get(f"/sessions/{world.session.pk}/members?format=csv")
    assert (
        not AuditEntry.objects.filter(session=world.session)
        .exclude(actor=world.admin_granted)
        .exists()
    )
    api(world.admin).get(f"/sessions/{world.session.pk}/members?format=csv")
    assert list(
        AuditEntry.objects.filter(session=world.session, actor=world.admin).values_list(
            "action", flat=True
        )
    ) == ["members_exported"]


@pytest.mark.parametrize(
    ("standing", "status"),
    [
        ("trainer", 204),
        ("admin", 204),
        ("admin_granted", 204),
        ("tutor", 403),
        ("participant", 403),
        ("inspector", 403),
        ("outsider", 403),
    ],
)
def test_who_may_withdraw_a_member(world, api, standing, status):
    response = api(world.by_standing(standing)).delete(
        f"/sessions/{world.session.pk}/members/{world.other_participant.pk}"
    )
    assert response.status_code == status
    still_in = Membership.objects.filter(session=world.session, user=world.other_participant)
    assert still_in.exists() is (status != 204)


def test_a_withdrawn_member_can_no_longer_open_the_session(world, api):
    member = api(world.other_participant)
    assert member.get(f"/sessions/{world.session.pk}").status_code == 200
    response = api(world.trainer).delete(
        f"/sessions/{world.session.pk}/members/{world.other_participant.pk}"
    )
    assert response.status_code == 204
    assert member.get(f"/sessions/{world.session.pk}").status_code == 403
    assert member.get("/sessions").json() == []
