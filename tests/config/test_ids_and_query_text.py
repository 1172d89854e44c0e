"""One id type and one query-text type for every app: 4xx, never 5xx, and nothing changed.

Each case was a 500 on SQLite or PostgreSQL (ids past 64 bits overflow the driver, NUL cannot
be sent to PostgreSQL, an offset on a local hour, non-ASCII digits, dates at the calendar's
edge); run this file with and without `DATABASE_URL` to cover both.
"""

from datetime import date, timedelta

import pytest

from forums.models import Post
from parcours.inputs import MAX_ID, NUL_FREE_PATTERN
from tests import factories
from tests.forums.conftest import make_board

HUGE = 10**20
PAST_63 = 2**63
TOP = 2**63 - 1


@pytest.fixture
def ids(world) -> dict:
    parcours = factories.parcours("Normand", origin="academic", academy=world.session.academy)
    post = make_board(world).reply
    return {
        "session": world.session.pk,
        "participant": world.participant.pk,
        "parcours": parcours.pk,
        "post": post.pk,
    }


def case(name, who, method, path, field, *, body=None):
    return pytest.param(who, method, path, body, field, id=name)


CASES = [
    case("message: recipient past 64 bits", "participant", "post", "/messages",
         "recipient_ids.0", body={"session_id": "{session}", "recipient_ids": [HUGE],
                                  "body": "Bonjour"}),
    case("message: session past 64 bits", "participant", "post", "/messages", "session_id",
         body={"session_id": HUGE, "recipient_ids": ["{participant}"], "body": "Bonjour"}),
    case("messages: with_user past 64 bits", "participant", "get",
         f"/messages?with_user={HUGE}", "with_user"),
    case("messages: session 2^63", "participant", "get", f"/messages?session_id={PAST_63}",
         "session_id"),
    case("member removal: user past 64 bits", "trainer", "delete",
         f"/sessions/{{session}}/members/{HUGE}", "user_id"),
    case("finish: user past 64 bits", "trainer", "post",
         f"/sessions/{{session}}/members/{HUGE}/finish", "user_id"),
    case("finish: session past 64 bits", "trainer", "post",
         f"/sessions/{HUGE}/members/{{participant}}/finish", "session_id"),
    case("section duplicate: section past 64 bits", "designer", "post",
         f"/parcours/{{parcours}}/sections/{HUGE}/duplicate", "section_id"),
    case("series: start time with an offset", "trainer", "post", "/series", "start_time",
         body={"session_id": "{session}", "first_day": "2030-01-07", "until": "2030-03-01",
               "start_time": "13:28:15+08:49"}),
    case("series: session past 64 bits", "trainer", "post", "/series", "session_id",
         body={"session_id": HUGE, "first_day": "2030-01-07", "until": "2030-03-01"}),
    case("post deletion: NUL in the reason", "trainer", "delete",
         "/posts/{post}?reason=spam%00", "reason"),
    case("post deletion: post past 64 bits", "trainer", "delete", f"/posts/{HUGE}", "post_id"),
    case("free slots: NUL as the academy", "trainer", "get",
         "/academies/%00/free-slots?from=2030-01-07&to=2030-01-11", "code"),
    case("poll answer: slot past 64 bits", "participant", "post", "/polls/1/answers",
         f"choices.{HUGE}.[key]", body={"choices": {str(HUGE): "yes"}}),
    case("forum reply: parent past 64 bits", "participant", "post",
         "/discussions/1/posts", "parent_id", body={"body": "Oui", "parent_id": HUGE}),
    case("classroom presenter past 64 bits", "trainer", "put", "/classrooms/1/presenter",
         "user_id", body={"user_id": PAST_63}),
]  # fmt: skip


def _fill(value, ids: dict):
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


@pytest.mark.parametrize(("who", "method", "path", "body", "field"), CASES)
def test_ids_past_64_bits_and_nul_are_a_422_naming_the_field(
    world, api, ids, who, method, path, body, field
):
    client = api(world.by_standing(who))
    posts = list(Post.objects.order_by("pk").values_list("pk", "body", "hidden"))
    kwargs = {"body": _fill(body, ids)} if body is not None else {}
    response = getattr(client, method)(path.format(**ids), **kwargs)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["details"]["field"] == field
    assert list(Post.objects.order_by("pk").values_list("pk", "body", "hidden")) == posts


@pytest.mark.parametrize(
    "path",
    ["/sessions/{top}", "/posts/{top}", "/recordings/{top}", "/forums/{top}", "/polls/{top}"],
)
def test_the_largest_id_is_valid_and_simply_unknown(world, api, path):
    response = api(world.trainer).get(path.format(top=TOP))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "path",
    [
        f"/sessions/{HUGE}/",
        f"/sessions/{PAST_63}/planifier/",
        f"/forums/messages/{HUGE}/",
        f"/forums/discussions/{HUGE}/",
        f"/parcours/{HUGE}/",
        f"/classes-virtuelles/{HUGE}/",
        f"/questionnaires/{HUGE}/",
        f"/spaces/{HUGE}/",
        f"/sondages/{TOP}/",
        f"/forums/{TOP}/",
    ],
)
def test_pages_of_ids_past_64_bits_are_not_found(world, client, path):
    client.force_login(world.trainer)
    response = client.get(path)
    assert response.status_code == 404


@pytest.mark.parametrize("depth", ["²", "-1", "1.5", "9" * 30, "deux", "%00"])
def test_a_post_fragment_refuses_a_depth_that_is_not_a_number(world, client, depth):
    post = make_board(world).reply
    client.force_login(world.participant)
    response = client.get(f"/forums/messages/{post.pk}/?depth={depth}")
    assert response.status_code == 400
    assert "Requête invalide" in response.content.decode()
    assert client.get(f"/forums/messages/{post.pk}/?depth=2").status_code == 200


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01", "2026-02-30", "lundi", "%00"])
def test_the_planning_page_refuses_weeks_it_cannot_show(world, client, week):
    client.force_login(world.trainer)
    page = f"/sessions/{world.session.pk}/planifier/"
    assert client.get(f"{page}?semaine={week}").status_code == 400
    monday = date(2030, 1, 7)
    shown = client.get(f"{page}?semaine={monday + timedelta(days=3)}")
    assert shown.status_code == 200
    assert shown.context["monday"] == monday


def test_the_planning_page_links_no_week_it_would_refuse(world, client):
    client.force_login(world.trainer)
    page = f"/sessions/{world.session.pk}/planifier/"
    for week, gone in (("2000-01-03", "Semaine précédente"), ("2099-12-28", "Semaine suivante")):
        shown = client.get(f"{page}?semaine={week}")
        assert shown.status_code == 200
        assert gone not in shown.content.decode()
    middle = client.get(f"{page}?semaine=2030-01-07").content.decode()
    assert "Semaine précédente" in middle and "Semaine suivante" in middle


def _integer_bounds(schema: dict) -> set[tuple]:
    """(minimum, maximum) of every integer a parameter or property may hold."""
    if "anyOf" in schema:
        return set().union(*(_integer_bounds(s) for s in schema["anyOf"] if s != {"type": "null"}))
    if schema.get("type") == "array":
        return _integer_bounds(schema["items"])
    return {(schema.get("minimum"), schema.get("maximum"))}


def _is_id(name: str) -> bool:
    return name.endswith(("_id", "_ids")) or name == "with_user"


def test_every_id_the_api_reads_is_declared_as_the_one_id_type():
    """A new `foo_id: int` would accept 10**20 again: the schema shows it, so check it."""
    from config.api import api as ninja_api

    schema = ninja_api.get_openapi_schema()
    one_id = {(1, MAX_ID)}
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                where = (method, path, parameter["name"])
                if _is_id(parameter["name"]):
                    found.append((where, _integer_bounds(parameter["schema"]) == one_id))
                elif parameter["schema"].get("type") == "string" and not (
                    {"enum", "format"} & parameter["schema"].keys()
                ):
                    nul_free = parameter["schema"].get("pattern") == NUL_FREE_PATTERN
                    found.append((where, nul_free))
    for name, component in schema["components"]["schemas"].items():
        for field, declared in component.get("properties", {}).items():
            if name.endswith(("In", "Patch", "Filters")) and _is_id(field):
                found.append(((name, field), _integer_bounds(declared) == one_id))
    assert len(found) > 100
    assert [where for where, ok in found if not ok] == []
