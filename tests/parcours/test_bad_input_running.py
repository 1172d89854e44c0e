"""Bad input to authoring, sessions, enrolment and accounts: a clear 4xx, nothing changed."""

import pytest

from tests import factories
from tests.parcours.test_bad_input import CODES, case, snapshot

HUGE = 2**64
NUL = "\x00"

# Paths name: {own} (an academic parcours of the world's academy), {section}, {activity}
# (of it), {foreign} / {foreign_section} / {foreign_activity} (of an unpublished parcours
# of another academy), {session}, {reunion} (La Réunion's id).
CASES = [
    # Malformed JSON and wrong types
    case("parcours: not json", "designer", "post", "/parcours", 400, "body", raw="{titre"),
    case("parcours: title a number", "designer", "post", "/parcours", 422, "title",
         body={"title": 12}),
    case("parcours: empty title", "designer", "post", "/parcours", 422, "title",
         body={"title": ""}),
    case("parcours: blank title", "designer", "post", "/parcours", 422, "title",
         body={"title": "   "}),
    case("parcours: title too long", "designer", "post", "/parcours", 422, "title",
         body={"title": "x" * 201}),
    case("parcours: unknown kind", "designer", "post", "/parcours", 422, "kind",
         body={"title": "P", "kind": "mooc"}),
    case("parcours: negative minutes", "designer", "post", "/parcours", 422, "distance_minutes",
         body={"title": "P", "distance_minutes": -5}),
    case("parcours: NUL in title", "designer", "post", "/parcours", 422, "title",
         body={"title": f"P{NUL}"}),
    case("parcours: published not a bool", "designer", "patch", "/parcours/{own}", 422,
         "published", body={"published": "oui"}),
    case("section: position zero", "designer", "post", "/parcours/{own}/sections", 422,
         "position", body={"title": "S", "position": 0}),
    case("activity: unknown kind", "designer", "post",
         "/parcours/{own}/sections/{section}/activities", 422, "kind",
         body={"title": "A", "kind": "video"}),
    case("activity: trainer_only a string", "designer", "patch",
         "/parcours/{own}/activities/{activity}", 422, "trainer_only",
         body={"trainer_only": "peut-être"}),
    case("session: not json", "admin", "post", "/sessions", 400, "body", raw="["),
    case("session: date not a date", "admin", "post", "/sessions", 422, "starts_on",
         body={"parcours_id": 1, "title": "S", "starts_on": "lundi", "ends_on": "2030-01-01"}),
    case("session: trainers not a list", "admin", "post", "/sessions", 422, "trainers",
         body={"parcours_id": 1, "title": "S", "starts_on": "2030-01-01",
               "ends_on": "2030-01-02", "trainers": "claire"}),
    case("session: NUL in title", "trainer", "patch", "/sessions/{session}", 422, "title",
         body={"title": NUL}),
    case("enrol: unknown role", "admin", "post", "/sessions/{session}/members", 422, "role",
         body={"identifier": "participant", "role": "king"}),
    case("enrol: empty identifier", "admin", "post", "/sessions/{session}/members", 422,
         "identifier", body={"identifier": ""}),
    case("account: NUL in name", "admin", "post", "/accounts", 422, "last_name",
         body={"username": "n", "first_name": "N", "last_name": f"O{NUL}"}),
    case("account: missing name", "admin", "post", "/accounts", 422, "first_name",
         body={"username": "n", "last_name": "O"}),
    # Ids past 64 bits, in paths and bodies
    case("parcours id past 64 bits", "designer", "get", f"/parcours/{HUGE}", 422, "parcours_id"),
    case("section id past 64 bits", "designer", "patch", f"/parcours/{{own}}/sections/{HUGE}",
         422, "section_id", body={"title": "S"}),
    case("activity id past 64 bits", "designer", "delete",
         f"/parcours/{{own}}/activities/{HUGE}", 422, "activity_id"),
    case("move to a section past 64 bits", "designer", "patch",
         "/parcours/{own}/activities/{activity}", 422, "section_id", body={"section_id": HUGE}),
    case("session's parcours past 64 bits", "admin", "post", "/sessions", 422, "parcours_id",
         body={"parcours_id": HUGE, "title": "S", "starts_on": "2030-01-01",
               "ends_on": "2030-01-02"}),
    case("academy past 64 bits", "admin", "post", "/accounts", 422, "academy_id",
         body={"username": "n", "first_name": "N", "last_name": "O", "academy_id": HUGE}),
    case("session id past 64 bits", "trainer", "post", f"/sessions/{HUGE}/close", 422,
         "session_id"),
    case("negative session id", "trainer", "patch", "/sessions/-1", 422, "session_id",
         body={"title": "S"}),
    # Unknown ids
    case("unknown parcours", "designer", "get", "/parcours/999999", 404, "parcours"),
    case("unknown section", "designer", "post", "/parcours/{own}/sections/999999/activities",
         404, "section", body={"title": "A"}),
    case("unknown activity", "designer", "delete", "/parcours/{own}/activities/999999", 404,
         "activité"),
    case("unknown session", "admin", "post", "/sessions/999999/close", 404, "session"),
    case("unknown session to join", "outsider", "post", "/sessions/999999/enrol", 404,
         "session"),
    case("unknown parcours for a session", "admin", "post", "/sessions", 404, "parcours",
         body={"parcours_id": 999999, "title": "S", "starts_on": "2030-01-01",
               "ends_on": "2030-01-02"}),
    # Other people's ids
    case("another parcours' section", "designer", "patch",
         "/parcours/{own}/sections/{foreign_section}", 404, "section", body={"title": "S"}),
    case("another parcours' activity", "designer", "delete",
         "/parcours/{own}/activities/{foreign_activity}", 404, "activité"),
    case("move into another parcours' section", "designer", "patch",
         "/parcours/{own}/activities/{activity}", 404, "section",
         body={"section_id": "{foreign_section}"}),
    case("another academy's parcours", "designer", "get", "/parcours/{foreign}", 403, None),
    case("a session on another academy's parcours", "admin", "post", "/sessions", 403, None,
         body={"parcours_id": "{foreign}", "title": "S", "starts_on": "2030-01-01",
               "ends_on": "2030-01-02"}),
    case("an account in another academy", "admin", "post", "/accounts", 403, None,
         body={"username": "n", "first_name": "N", "last_name": "O",
               "academy_id": "{reunion}"}),
    case("close a session one does not teach", "trainer", "post",
         "/sessions/{other_session}/close", 403, None),
]  # fmt: skip


@pytest.fixture
def ids(world) -> dict:
    own = factories.parcours("Normand", origin="academic", academy=world.session.academy)
    reunion = factories.academy("reunion", timezone="Indian/Reunion")
    foreign = factories.parcours("Réunionnais", origin="academic", academy=reunion)
    section, foreign_section = own.sections.get(), foreign.sections.get()
    return {
        "own": own.pk,
        "section": section.pk,
        "activity": section.activities.first().pk,
        "foreign": foreign.pk,
        "foreign_section": foreign_section.pk,
        "foreign_activity": foreign_section.activities.first().pk,
        "session": world.session.pk,
        "other_session": world.other_session.pk,
        "reunion": reunion.pk,
    }


def _fill(value, ids: dict):
    """Ids of the fixture in a JSON body: "{own}" becomes the integer."""
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids.get(value[1:-1], value)
    return value


@pytest.mark.parametrize(("who", "method", "template", "payload", "status", "named"), CASES)
def test_bad_input_gets_a_clear_error_and_changes_nothing(
    world, api, ids, who, method, template, payload, status, named
):
    client = api(world.by_standing(who))
    if "body" in payload:
        payload = {"body": _fill(payload["body"], ids)}
    before = snapshot()
    response = getattr(client, method)(template.format(**ids), **payload)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == CODES[status]
    assert error["message"]
    if named is not None:
        assert named in (error["details"].get("field"), error["details"].get("resource"))
    assert snapshot() == before
