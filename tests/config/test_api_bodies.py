"""What every API body goes through before any app sees it."""

import pytest
from django.conf import settings

from forums.models import Discussion, Post
from scheduling.models import Poll
from tests.forums.conftest import make_board

NUL = "\u0000"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/discussions/{discussion}/posts", {"body": f"a{NUL}b"}, "body"),
        ("/forums/{forum}/discussions", {"title": f"Titre{NUL}", "body": "x"}, "title"),
        (
            "/sessions/{session}/polls",
            {"title": "Sondage", "slots": [{"note": NUL}]},
            "slots.0.note",
        ),
        ("/sessions/{session}/access-grants", {"reason": f"Assistance{NUL} demandée"}, "reason"),
    ],
)
def test_a_nul_character_anywhere_in_a_body_is_refused_and_names_its_field(
    world, api, path, body, field
):
    """PostgreSQL cannot store NUL: refused up front, for every app's routes alike."""
    board = make_board(world)
    counts = (Discussion.objects.count(), Post.objects.count(), Poll.objects.count())
    url = path.format(
        discussion=board.discussion.pk, forum=board.forum.pk, session=world.session.pk
    )
    response = api(world.trainer).post(url, body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["details"]["field"]) == ("invalid", field)
    assert (Discussion.objects.count(), Post.objects.count(), Poll.objects.count()) == counts


def test_malformed_json_is_still_named_as_such(world, api):
    response = api(world.trainer).post(f"/sessions/{world.session.pk}/access-grants", raw="{")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Le corps de la requête n'est pas du JSON valide."


def test_the_openapi_states_the_body_limit_of_every_route_that_takes_a_body(client):
    schema = client.get("/api/v1/openapi.json").json()
    operations = [op for ops in schema["paths"].values() for op in ops.values()]
    with_body = [op for op in operations if "requestBody" in op]
    assert with_body and all(op["x-max-body-bytes"] > 0 for op in with_body)
    attachment = schema["paths"]["/api/v1/messages/{message_id}/attachments"]["post"]
    assert attachment["x-max-file-bytes"] == 5 * 1024 * 1024
    assert attachment["x-max-body-bytes"] > 5 * 1024 * 1024
    assert "5120 Kio" in attachment["requestBody"]["description"]
    grant = schema["paths"]["/api/v1/sessions/{session_id}/access-grants"]["post"]
    assert grant["x-max-body-bytes"] == settings.API_MAX_BODY_BYTES


def test_a_route_with_its_own_limit_refuses_past_it_and_not_before(world, api):
    """The CSV import states 256 KiB (+ envelope), less than the default 1 MiB."""
    from parcours.imports import MAX_IMPORT_BYTES

    url = f"/sessions/{world.session.pk}/imports/preview"
    response = api(world.trainer).post(url, raw="x" * (MAX_IMPORT_BYTES + 64 * 1024))
    assert response.status_code == 413
    assert response.json()["error"]["details"]["max_bytes"] < settings.API_MAX_BODY_BYTES
