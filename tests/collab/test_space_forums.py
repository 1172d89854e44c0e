"""A space owns forums the way a session does: through its scope, with the space's roles."""

import pytest

from forums import services
from parcours.models import Space
from tests import factories


@pytest.fixture
def space(db):
    return factories.space(title="Entre pairs : lecture", visibility=Space.Visibility.OPEN)


def test_animator_opens_a_forum_and_members_discuss_in_it(api, space):
    animator = factories.space_member(space, "animator").user
    member = factories.space_member(space, "member").user
    created = api(animator).post(
        f"/spaces/{space.pk}/forums", {"title": "Nos lectures", "kind": "standard"}
    )
    assert created.status_code == 201, created.content
    assert created.json()["space_id"] == space.pk and created.json()["session_id"] is None
    forum_id = created.json()["id"]
    started = api(member).post(
        f"/forums/{forum_id}/discussions", {"title": "Albums", "body": "<p>Vos titres ?</p>"}
    )
    assert started.status_code == 201, started.content
    listed = api(member).get(f"/spaces/{space.pk}/forums").json()
    assert [(f["title"], f["discussion_count"]) for f in listed] == [("Nos lectures", 1)]


def test_a_member_may_not_open_a_forum_and_an_outsider_reads_nothing(api, space):
    member = factories.space_member(space, "member").user
    outsider = factories.user(academy_obj=factories.academy("reunion"))
    refused = api(member).post(f"/spaces/{space.pk}/forums", {"title": "X", "kind": "standard"})
    assert refused.status_code == 403
    assert api(outsider).get(f"/spaces/{space.pk}/forums").status_code == 403
    assert space.scope.forums.count() == 0


def test_space_forum_pages_lead_back_to_the_space(client, space):
    animator = factories.space_member(space, "animator").user
    forum = services.create_forum(scope=space.scope, actor=animator, title="Annonces", kind="news")
    client.force_login(animator)
    index = client.get(f"/spaces/{space.pk}/forums/").content.decode()
    assert "Annonces" in index and f'href="/spaces/{space.pk}/"' in index
    page = client.get(f"/forums/{forum.pk}/").content.decode()
    assert f'href="/spaces/{space.pk}/forums/"' in page


def test_unknown_space_is_not_found(api, space):
    member = factories.space_member(space, "member").user
    response = api(member).get("/spaces/999999/forums")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
