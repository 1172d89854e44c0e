"""Bad input gets a clear 4xx JSON error naming the problem, never a 500, and changes nothing."""

import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import timezone

from parcours.models import Activity, Attestation

SOON = (timezone.now() + timedelta(hours=4)).isoformat()
REASON = "Aide demandée par la formatrice"
NUL = "\x00"

GRANTS = "/sessions/{session}/access-grants"
OPEN = "/sessions/{session}/content-open"
COPY = "/parcours/{parcours}/duplicate"
MEMBERS = "/sessions/{session}/members"
CODES = {400: "invalid", 403: "forbidden", 404: "not_found", 422: "invalid"}


def case(name, who, method, path, status, named, *, body=None, raw=None):
    """`named`: the field or resource the error's details must name."""
    payload = {"raw": raw} if raw is not None else ({"body": body} if body is not None else {})
    return pytest.param(who, method, path, payload, status, named, id=name)


# Paths name rows of the `world` fixture: {session}, {foreign_activity} (an activity of
# another parcours), {participant}, {outsider} (a member of another session), {parcours},
# {foreign_section}, {attestation} (the participant's).
CASES = [
    # Malformed JSON
    case("token: not json", None, "post", "/auth/token", 400, "body", raw="{oops"),
    case("grant: truncated", "admin", "post", GRANTS, 400, "body", raw='{"reason": "Aide", '),
    case("content-open: not json", "trainer", "put", OPEN, 400, "body", raw="oui"),
    case("duplicate: not json", "designer", "post", COPY, 400, "body", raw="{"),
    case("grant: a list", "admin", "post", GRANTS, 422, "reason", raw="[1, 2]"),
    # Wrong types
    case(
        "content-open: not a boolean",
        "trainer",
        "put",
        OPEN,
        422,
        "content_open_after_end",
        body={"content_open_after_end": "peut-être"},
    ),
    case(
        "content-open: null",
        "trainer",
        "put",
        OPEN,
        422,
        "content_open_after_end",
        body={"content_open_after_end": None},
    ),
    case(
        "grant: reason is a number",
        "admin",
        "post",
        GRANTS,
        422,
        "reason",
        body={"reason": 12, "expires_at": SOON},
    ),
    case(
        "grant: expiry is not a date",
        "admin",
        "post",
        GRANTS,
        422,
        "expires_at",
        body={"reason": REASON, "expires_at": "demain"},
    ),
    case(
        "grant: expiry without a time zone",
        "admin",
        "post",
        GRANTS,
        422,
        "expires_at",
        body={"reason": REASON, "expires_at": "2030-01-01T10:00:00"},
    ),
    case(
        "token: username is a number",
        None,
        "post",
        "/auth/token",
        422,
        "username",
        body={"username": 1, "password": ["x"]},
    ),
    case("duplicate: empty title", "designer", "post", COPY, 422, "title", body={"title": ""}),
    case("duplicate: numeric title", "designer", "post", COPY, 422, "title", body={"title": 42}),
    # A NUL character: PostgreSQL can neither store nor compare it.
    case(
        "token: NUL in the username",
        None,
        "post",
        "/auth/token",
        422,
        "username",
        body={"username": f"participant{NUL}", "password": "x"},
    ),
    case(
        "grant: NUL in the reason",
        "admin",
        "post",
        GRANTS,
        422,
        "reason",
        body={"reason": f"{REASON}{NUL}", "expires_at": SOON},
    ),
    case(
        "duplicate: NUL in the title",
        "designer",
        "post",
        COPY,
        422,
        "title",
        body={"title": f"Copie{NUL}"},
    ),
    case("members: NUL in school", "trainer", "get", f"{MEMBERS}?school=a%00b", 422, "school"),
    # Missing fields
    case("grant: empty object", "admin", "post", GRANTS, 422, "reason", body={}),
    case("grant: no expiry", "admin", "post", GRANTS, 422, "expires_at", body={"reason": REASON}),
    case("content-open: {}", "trainer", "put", OPEN, 422, "content_open_after_end", body={}),
    case(
        "token: no password",
        None,
        "post",
        "/auth/token",
        422,
        "password",
        body={"username": "participant"},
    ),
    # Unknown ids
    case("unknown session", "trainer", "get", "/sessions/999999", 404, "session"),
    case("huge session id", "trainer", "get", f"/sessions/{10**20}", 422, "session_id"),
    case(
        "unknown activity",
        "participant",
        "post",
        "/sessions/{session}/activities/999999/complete",
        404,
        "activité",
    ),
    case(
        "unknown participant to finish",
        "trainer",
        "post",
        "/sessions/{session}/members/999999/finish",
        404,
        "participant",
    ),
    case("unknown member", "trainer", "delete", f"{MEMBERS}/999999", 404, "membre"),
    case("unknown attestation", "admin", "get", "/attestations/999999.pdf", 404, "attestation"),
    case("unknown parcours", "designer", "post", "/parcours/999999/duplicate", 404, "parcours"),
    case(
        "unknown section",
        "designer",
        "post",
        "/parcours/{parcours}/sections/999999/duplicate",
        404,
        "section",
    ),
    # Other people's ids
    case(
        "another parcours' activity",
        "participant",
        "post",
        "/sessions/{session}/activities/{foreign_activity}/complete",
        404,
        "activité",
    ),
    case(
        "undo another parcours' activity",
        "participant",
        "delete",
        "/sessions/{session}/activities/{foreign_activity}/complete",
        404,
        "activité",
    ),
    case(
        "finish a member of another session",
        "trainer",
        "post",
        f"{MEMBERS}/{{outsider}}/finish",
        404,
        "participant",
    ),
    case(
        "remove a member of another session",
        "trainer",
        "delete",
        f"{MEMBERS}/{{outsider}}",
        404,
        "membre",
    ),
    case(
        "another parcours' section",
        "designer",
        "post",
        "/parcours/{parcours}/sections/{foreign_section}/duplicate",
        404,
        "section",
    ),
    case(
        "finish in a session one does not teach",
        "trainer",
        "post",
        "/sessions/{other_session}/members/{outsider}/finish",
        403,
        None,
    ),
    case(
        "someone else's attestation",
        "other_participant",
        "get",
        "/attestations/{attestation}.pdf",
        403,
        None,
    ),
    # Ids that are not integers
    case("session id is a word", "trainer", "get", "/sessions/abc", 422, "session_id"),
    case("session id is a decimal", "trainer", "get", "/sessions/1.5/progress", 422, "session_id"),
    case(
        "activity id is a word",
        "participant",
        "post",
        "/sessions/{session}/activities/xyz/complete",
        422,
        "activity_id",
    ),
    case("user id is a word", "trainer", "post", f"{MEMBERS}/me/finish", 422, "user_id"),
    case("attestation id is a word", "admin", "get", "/attestations/a.pdf", 422, "attestation_id"),
    # Unknown query values
    case("unknown role filter", "trainer", "get", f"{MEMBERS}?role=king", 422, "role"),
    case("unknown export format", "trainer", "get", f"{MEMBERS}?format=xml", 422, "format"),
    case("finished is not a bool", "trainer", "get", f"{MEMBERS}?finished=maybe", 422, "finished"),
]


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


@pytest.mark.parametrize(("who", "method", "template", "payload", "status", "named"), CASES)
def test_bad_input_gets_a_clear_error_and_changes_nothing(
    world, api, attestation, who, method, template, payload, status, named
):
    client = api(world.by_standing(who) if who else None)
    before = snapshot()
    response = getattr(client, method)(template.format(**_ids(world, attestation)), **payload)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == CODES[status]
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


def test_a_chunked_body_over_the_limit_is_refused_too(rf):
    """A body sent without Content-Length (chunked) is measured once read."""
    from config.middleware import ApiBodyLimitMiddleware

    limit = settings.API_MAX_BODY_BYTES
    request = rf.post("/api/v1/auth/token", data=b"x" * (limit + 1), content_type="text/plain")
    del request.META["CONTENT_LENGTH"]
    reached = []
    response = ApiBodyLimitMiddleware(reached.append)(request)
    assert response.status_code == 413
    assert json.loads(response.content)["error"]["code"] == "too_large"
    assert reached == []
