"""Spaces over HTTP: opening one, finding it, joining or asking to, members, leaving."""

import pytest

from parcours.models import JoinRequest, Space, SpaceMembership
from tests import factories

HUGE = 2**64


@pytest.fixture
def academy(db):
    return factories.academy()


def test_an_administrator_opens_a_space_and_animates_it(api, academy):
    admin = factories.platform_user("admin", academy_obj=academy)
    made = api(admin).post(
        "/spaces", {"title": "Entre pairs : maths", "academy_id": academy.pk, "visibility": "open"}
    )
    assert made.status_code == 201, made.content
    assert "animator" in made.json()["standing"]
    member = api(admin).get(f"/spaces/{made.json()['id']}/members").json()
    assert [m["role"] for m in member] == ["animator"]


def test_a_teacher_may_not_open_a_space(api, academy):
    teacher = factories.user(academy_obj=academy)
    refused = api(teacher).post("/spaces", {"title": "X", "academy_id": academy.pk})
    assert refused.status_code == 403 and not Space.objects.exists()


def test_joining_an_open_space_and_asking_to_join_another(api, academy):
    open_space = factories.space(academy_obj=academy, visibility=Space.Visibility.OPEN)
    asked = factories.space(academy_obj=academy, visibility=Space.Visibility.ON_REQUEST)
    animator = factories.space_member(asked, "animator").user
    secret = factories.space(academy_obj=academy, visibility=Space.Visibility.INVITATION)
    teacher = factories.user(academy_obj=academy)
    listed = {s["id"] for s in api(teacher).get("/spaces").json()}
    assert listed == {open_space.pk, asked.pk}  # not the invitation-only one
    assert api(teacher).post(f"/spaces/{open_space.pk}/join").status_code == 204
    assert api(teacher).post(f"/spaces/{asked.pk}/join").status_code == 403
    asking = api(teacher).post(f"/spaces/{asked.pk}/requests", {"message": "Bonjour"})
    assert asking.status_code == 204
    request_id = JoinRequest.objects.get().pk
    accepted = api(animator).post(
        f"/spaces/{asked.pk}/requests/{request_id}/answer", {"accept": True}
    )
    assert accepted.status_code == 204
    assert SpaceMembership.objects.filter(user=teacher).count() == 2
    assert api(teacher).get(f"/spaces/{secret.pk}").status_code == 403
    assert api(teacher).post(f"/spaces/{open_space.pk}/leave").status_code == 204
    assert SpaceMembership.objects.filter(user=teacher).count() == 1


@pytest.mark.parametrize(
    "who, status",
    [("animator", 200), ("admin", 200), ("member", 403), ("asker", 403), ("outsider", 403)],
)
def test_only_animators_and_administrators_read_the_waiting_requests(api, academy, who, status):
    space = factories.space(academy_obj=academy, visibility=Space.Visibility.ON_REQUEST)
    people = {
        "animator": factories.space_member(space, "animator").user,
        "admin": factories.platform_user("admin", academy_obj=academy),
        "member": factories.space_member(space, "member").user,
        "asker": factories.user(academy_obj=academy, first_name="Inès", last_name="Roux"),
        "outsider": factories.user(academy_obj=factories.academy("reunion")),
    }
    asked = api(people["asker"]).post(f"/spaces/{space.pk}/requests", {"message": "CM1"})
    assert asked.status_code == 204
    answer = api(people[who]).get(f"/spaces/{space.pk}/requests")
    assert answer.status_code == status
    if status == 200:
        [request] = answer.json()
        assert (request["name"], request["message"]) == ("Inès Roux", "CM1")
        assert request["user_id"] == people["asker"].pk


def test_animators_add_and_remove_members_and_members_may_not(api, academy):
    space = factories.space(academy_obj=academy)
    animator = factories.space_member(space, "animator").user
    member = factories.space_member(space, "member").user
    newcomer = factories.user(academy_obj=academy, username="nouvelle")
    refused = api(member).post(f"/spaces/{space.pk}/members", {"username": "nouvelle"})
    assert refused.status_code == 403
    added = api(animator).post(f"/spaces/{space.pk}/members", {"username": "nouvelle"})
    assert added.status_code == 201 and added.json()["user_id"] == newcomer.pk
    assert api(member).delete(f"/spaces/{space.pk}/members/{newcomer.pk}").status_code == 403
    assert api(animator).delete(f"/spaces/{space.pk}/members/{newcomer.pk}").status_code == 204
    assert not SpaceMembership.objects.filter(user=newcomer).exists()


@pytest.mark.parametrize(
    "method,path,body,status,field",
    [
        ("post", "/spaces", {"title": "", "academy_id": 1}, 422, "title"),
        ("post", "/spaces", {"title": "X", "academy_id": HUGE}, 422, "academy_id"),
        (
            "post",
            "/spaces",
            {"title": "X", "academy_id": 1, "visibility": "public"},
            422,
            "visibility",
        ),
        ("get", f"/spaces/{HUGE}", None, 422, "space_id"),
        ("post", "/spaces/{space}/members", {"username": "x", "role": "king"}, 422, "role"),
        ("post", "/spaces/{space}/members", {"username": "personne"}, 404, None),
    ],
)
def test_bad_input_is_named_and_changes_nothing(api, academy, method, path, body, status, field):
    admin = factories.platform_user("admin", academy_obj=academy)
    space = factories.space(academy_obj=academy)
    factories.space_member(space, "animator", user_obj=admin)
    client = api(admin)
    url = path.format(space=space.pk)
    response = client.post(url, body) if method == "post" else client.get(url)
    assert response.status_code == status, response.content
    if field:
        assert response.json()["error"]["details"]["field"] == field
    assert Space.objects.count() == 1 and SpaceMembership.objects.count() == 1
