"""What every API body goes through before any app sees it."""

import pytest

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
