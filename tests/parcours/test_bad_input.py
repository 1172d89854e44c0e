"""Bad input gets a clear 4xx JSON error naming the problem, never a 500, and changes nothing."""

import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import timezone

from parcours.models import Activity, Attestation
from tests.parcours.isolation import isolated_cache  # noqa: F401

SOON = (timezone.now() + timedelta(hours=4)).isoformat()
REASON = "Aide demandée par la formatrice"
NUL = "\x00"

# (who, method, path, body or raw, expected status, error code, what the details name)
# Paths name rows of the `world` fixture: {session}, {activity} (one of its activities),
# {foreign_activity} (an activity of another parcours), {participant}, {outsider} (a member
# of another session), {parcours}, {section}, {foreign_section}, {attestation}.
CASES = {
    # Malformed JSON
    "token: not json": (None, "post", "/auth/token", {"raw": "{oops"}, 400, "invalid", "body"),
    "grant: truncated json": (
        "admin",
        "post",
        "/sessions/{session}/access-grants",
        {"raw": '{"reason": "Aide demandée", '},
        400,
        "invalid",
        "body",
    ),
    "content-open: not json": (
        "trainer",
        "put",
        "/sessions/{session}/content-open",
        {"raw": "oui"},
        400,
        "invalid",
        "body",
    ),
    "duplicate: not json": (
        "designer",
        "post",
        "/parcours/{parcours}/duplicate",
        {"raw": "{"},
        400,
        "invalid",
        "body",
    ),
    "grant: a list instead of an object": (
        "admin",
        "post",
        "/sessions/{session}/access-grants",
        {"raw": "[1, 2]"},
        422,
        "invalid",
        "reason",
    ),
    # Wrong types
    "content-open: not a boolean": (
        "trainer",
        "put",
        "/sessions/{session}/content-open",
        {"body": {"content_open_after_end": "peut-être"}},
        422,
        "invalid",
        "content_open_after_end",
    ),
    "content-open: null": (
        "trainer",
        "put",
        "/sessions/{session}/content-open",
        {"body": {"content_open_after_end": None}},
        422,
        "invalid",
        "content_open_after_end",
    ),
    "grant: reason is a number": (
        "admin",
        "post",
        "/sessions/{session}/access-grants",
        {"body": {"reason": 12, "expires_at": SOON}},
        422,
        "invalid",
        "reason",
    ),
    "grant: expiry is not a date": (
        "admin",
        "post",
        "/sessions/{session}/access-grants",
        {"body": {"reason": REASON, "expires_at": "demain"}},
        422,
        "invalid",
        "expires_at",
    ),
    "grant: expiry without a time zone": (
        "admin",
        "post",
        "/sessions/{session}/access-grants",
        {"body": {"reason": REASON, "expires_at": "2030-01-01T10:00:00"}},
        422,
        "invalid",
        "expires_at",
    ),
    "token: username is a number": (
        None,
        "post",
        "/auth/token",
        {"body": {"username": 1, "password": ["x"]}},
        422,
        "invalid",
        "username",
    ),
    "duplicate: empty title": (
        "designer",
        "post",
        "/parcours/{parcours}/duplicate",
        {"body": {"title": ""}},
        422,
        "invalid",
        "title",
    ),
    "duplicate: title is a number": (
        "designer",
        "post",
        "/parcours/{parcours}/duplicate",
        {"body": {"title": 42}},
        422,
        "invalid",
        "title",
    ),
    # A NUL character: PostgreSQL cannot store or even compare it.
    "token: NUL in the username": (
        None,
        "post",
        "/auth/token",
        {"body": {"username": f"participant{NUL}", "password": "x"}},
        422,
        "invalid",
        "username",
    ),
    "grant: NUL in the reason": (
        "admin",
        "post",
        "/sessions/{session}/access-grants",
        {"body": {"reason": f"{REASON}{NUL}", "expires_at": SOON}},
        422,
        "invalid",
        "reason",
    ),
    "duplicate: NUL in the title": (
        "designer",
        "post",
        "/parcours/{parcours}/duplicate",
        {"body": {"title": f"Copie{NUL}"}},
        422,
        "invalid",
        "title",
    ),
    "members: NUL in the school filter": (
        "trainer",
        "get",
        "/sessions/{session}/members?school=a%00b",
        {},
        422,
        "invalid",
        "school",
    ),
    # Missing fields
    "grant: empty object": (
        "admin",
        "post",
        "/sessions/{session}/access-grants",
        {"body": {}},
        422,
        "invalid",
        "reason",
    ),
    "grant: no expiry": (
        "admin",
        "post",
        "/sessions/{session}/access-grants",
        {"body": {"reason": REASON}},
        422,
        "invalid",
        "expires_at",
    ),
    "content-open: empty object": (
        "trainer",
        "put",
        "/sessions/{session}/content-open",
        {"body": {}},
        422,
        "invalid",
        "content_open_after_end",
    ),
    "token: no password": (
        None,
        "post",
        "/auth/token",
        {"body": {"username": "participant"}},
        422,
        "invalid",
        "password",
    ),
    # Unknown ids
    "unknown session": ("trainer", "get", "/sessions/999999", {}, 404, "not_found", "session"),
    "unknown session, huge id": (
        "trainer",
        "get",
        "/sessions/100000000000000000000",
        {},
        404,
        "not_found",
        "session",
    ),
    "unknown activity": (
        "participant",
        "post",
        "/sessions/{session}/activities/999999/complete",
        {},
        404,
        "not_found",
        "activité",
    ),
    "unknown participant to finish": (
        "trainer",
        "post",
        "/sessions/{session}/members/999999/finish",
        {},
        404,
        "not_found",
        "participant",
    ),
    "unknown member to remove": (
        "trainer",
        "delete",
        "/sessions/{session}/members/999999",
        {},
        404,
        "not_found",
        "membre",
    ),
    "unknown attestation": (
        "admin",
        "get",
        "/attestations/999999.pdf",
        {},
        404,
        "not_found",
        "attestation",
    ),
    "unknown parcours": (
        "designer",
        "post",
        "/parcours/999999/duplicate",
        {},
        404,
        "not_found",
        "parcours",
    ),
    "unknown section": (
        "designer",
        "post",
        "/parcours/{parcours}/sections/999999/duplicate",
        {},
        404,
        "not_found",
        "section",
    ),
    # Other people's ids
    "another parcours' activity": (
        "participant",
        "post",
        "/sessions/{session}/activities/{foreign_activity}/complete",
        {},
        404,
        "not_found",
        "activité",
    ),
    "undo another parcours' activity": (
        "participant",
        "delete",
        "/sessions/{session}/activities/{foreign_activity}/complete",
        {},
        404,
        "not_found",
        "activité",
    ),
    "finish a member of another session": (
        "trainer",
        "post",
        "/sessions/{session}/members/{outsider}/finish",
        {},
        404,
        "not_found",
        "participant",
    ),
    "remove a member of another session": (
        "trainer",
        "delete",
        "/sessions/{session}/members/{outsider}",
        {},
        404,
        "not_found",
        "membre",
    ),
    "another parcours' section": (
        "designer",
        "post",
        "/parcours/{parcours}/sections/{foreign_section}/duplicate",
        {},
        404,
        "not_found",
        "section",
    ),
    "finish through a session one does not teach": (
        "trainer",
        "post",
        "/sessions/{other_session}/members/{outsider}/finish",
        {},
        403,
        "forbidden",
        None,
    ),
    "someone else's attestation": (
        "other_participant",
        "get",
        "/attestations/{attestation}.pdf",
        {},
        403,
        "forbidden",
        None,
    ),
    # Ids that are not integers
    "session id is a word": ("trainer", "get", "/sessions/abc", {}, 422, "invalid", "session_id"),
    "session id is a decimal": (
        "trainer",
        "get",
        "/sessions/1.5/progress",
        {},
        422,
        "invalid",
        "session_id",
    ),
    "activity id is a word": (
        "participant",
        "post",
        "/sessions/{session}/activities/xyz/complete",
        {},
        422,
        "invalid",
        "activity_id",
    ),
    "user id is a word": (
        "trainer",
        "post",
        "/sessions/{session}/members/me/finish",
        {},
        422,
        "invalid",
        "user_id",
    ),
    "attestation id is a word": (
        "admin",
        "get",
        "/attestations/abc.pdf",
        {},
        422,
        "invalid",
        "attestation_id",
    ),
    # Unknown query values
    "unknown role filter": (
        "trainer",
        "get",
        "/sessions/{session}/members?role=king",
        {},
        422,
        "invalid",
        "role",
    ),
    "unknown export format": (
        "trainer",
        "get",
        "/sessions/{session}/members?format=xml",
        {},
        422,
        "invalid",
        "format",
    ),
    "finished filter is not a boolean": (
        "trainer",
        "get",
        "/sessions/{session}/members?finished=maybe",
        {},
        422,
        "invalid",
        "finished",
    ),
}


def _ids(world, attestation) -> dict:
    activity = Activity.objects.filter(section__parcours=world.session.parcours).first()
    foreign = Activity.objects.filter(section__parcours=world.other_session.parcours).first()
    return {
        "session": world.session.pk,
        "other_session": world.other_session.pk,
        "activity": activity.pk,
        "foreign_activity": foreign.pk,
        "participant": world.participant.pk,
        "outsider": world.outsider.pk,
        "parcours": world.session.parcours_id,
        "section": activity.section_id,
        "foreign_section": foreign.section_id,
        "attestation": attestation.pk,
    }


def snapshot() -> dict[str, list]:
    """Every row of the core domain, except the last-visit date any request may refresh."""
    rows = {}
    for model in apps.get_app_config("parcours").get_models():
        fields = [f.attname for f in model._meta.concrete_fields if f.name != "last_visit"]
        rows[model._meta.label] = list(model.objects.order_by("pk").values_list(*fields))
    return rows


@pytest.fixture
def attestation(world):
    from parcours import services

    return services.finish_training(
        session=world.session, actor=world.trainer, participant_id=world.participant.pk
    )


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_input_gets_a_clear_error_and_changes_nothing(world, api, attestation, case):
    who, method, template, payload, status, code, named = case
    client = api(world.by_standing(who) if who else None)
    before = snapshot()
    response = getattr(client, method)(template.format(**_ids(world, attestation)), **payload)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    if named is not None:
        assert named in (error["details"].get("field"), error["details"].get("resource"))
    assert snapshot() == before


@pytest.mark.parametrize("who", [None, "admin"])
def test_a_body_over_the_size_limit_is_refused_before_it_is_read(world, api, who):
    limit = settings.API_MAX_BODY_BYTES
    padding = "x" * limit
    raw = json.dumps({"reason": padding, "expires_at": SOON})
    assert len(raw.encode()) > limit
    client = api(world.by_standing(who) if who else None)
    before = snapshot()
    response = client.post(f"/sessions/{world.session.pk}/access-grants", raw=raw)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "too_large"
    assert error["details"]["field"] == "body"
    assert error["details"]["max_bytes"] == limit
    assert snapshot() == before


def test_a_body_just_under_the_limit_is_read_and_judged_on_its_content(world, api):
    raw = json.dumps({"reason": "x" * 3000, "expires_at": SOON})
    response = api(world.admin).post(f"/sessions/{world.session.pk}/access-grants", raw=raw)
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "reason"


def test_every_error_field_is_listed_when_several_are_wrong(world, api):
    response = api(world.admin).post(
        f"/sessions/{world.session.pk}/access-grants", {"reason": 12, "expires_at": "demain"}
    )
    fields = [entry["field"] for entry in response.json()["error"]["details"]["fields"]]
    assert fields == ["reason", "expires_at"]


def test_a_refused_finish_leaves_the_existing_attestation_alone(world, api, attestation):
    number = attestation.number
    response = api(world.participant).post(
        f"/sessions/{world.session.pk}/members/{world.participant.pk}/finish"
    )
    assert response.status_code == 403
    assert Attestation.objects.get().number == number
