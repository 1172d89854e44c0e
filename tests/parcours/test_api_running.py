"""Sessions created, edited and closed; enrolment one by one and on one's own; accounts."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model

from parcours import policies
from parcours.models import Membership, Profile, Session
from parcours.policies import Action
from tests import factories
from tests.conftest import STANDINGS


def _iso(days: int) -> str:
    return factories.days_from_today(days).isoformat()


def _new_session(world, **extra) -> dict:
    national = factories.parcours("Parcours national", origin="national")
    factories.user("claire", first_name="Claire", last_name="Martin")
    factories.user("hugo", first_name="Hugo", last_name="Bernard")
    return {
        "parcours_id": national.pk,
        "title": "Lecture — Dieppe",
        "circonscription": "Dieppe",
        "starts_on": _iso(7),
        "ends_on": _iso(60),
        "trainers": ["claire"],
        "tutors": ["hugo"],
    } | extra


def test_an_administrator_creates_a_session_with_its_trainers_and_tutors(world, api):
    response = api(world.admin).post("/sessions", _new_session(world))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["title"], body["academy"], body["state"], body["ended"]) == (
        "Lecture — Dieppe",
        "normandie",
        "planned",
        False,
    )
    session = Session.objects.get(pk=body["id"])
    assert session.circonscription == "Dieppe"
    staff = set(session.memberships.values_list("user__username", "role"))
    assert staff == {("claire", "trainer"), ("hugo", "tutor")}
    # The trainer finds it in their list.
    claire = get_user_model().objects.get(username="claire")
    mine = api(claire).get("/sessions").json()
    assert [(row["id"], row["role"]) for row in mine] == [(session.pk, "trainer")]


@pytest.mark.parametrize("standing", STANDINGS)
def test_only_the_academys_administrators_create_sessions(world, api, standing):
    payload = _new_session(world)
    before = Session.objects.count()
    response = api(world.by_standing(standing)).post("/sessions", payload)
    if standing in {"admin", "admin_granted"}:
        assert response.status_code == 201, response.content
    else:
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
        assert Session.objects.count() == before


def test_an_administrator_creates_nothing_in_another_academy(world, api):
    reunion = factories.academy("reunion", timezone="Indian/Reunion")
    response = api(world.admin).post("/sessions", _new_session(world, academy_id=reunion.pk))
    assert response.status_code == 403
    assert "académie" in response.json()["error"]["message"]
    assert not Session.objects.filter(academy=reunion).exists()


def test_an_unknown_trainer_refuses_the_whole_session(world, api):
    before = Session.objects.count()
    response = api(world.admin).post("/sessions", _new_session(world, trainers=["claire", "zoe"]))
    assert response.status_code == 404
    assert response.json()["error"]["details"]["field"] == "trainers.1"
    assert Session.objects.count() == before


def test_a_session_cannot_end_before_it_starts(world, api):
    response = api(world.admin).post("/sessions", _new_session(world, ends_on=_iso(1)))
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "ends_on"
    response = api(world.trainer).patch(f"/sessions/{world.session.pk}", {"ends_on": _iso(-400)})
    assert response.status_code == 422
    world.session.refresh_from_db()
    assert world.session.ends_on > factories.days_from_today(0)


def test_a_trainer_moves_the_end_date_and_closes_the_session(world, api, capture_events):
    client = api(world.trainer)
    response = client.patch(f"/sessions/{world.session.pk}", {"ends_on": _iso(90)})
    assert response.status_code == 200, response.content
    assert response.json()["ends_on"] == _iso(90)
    response = client.post(f"/sessions/{world.session.pk}/close")
    assert response.json()["state"] == "closed" and response.json()["ended"]
    world.session.refresh_from_db()
    # Closed: its tools are frozen, and it is not edited any more.
    assert policies.decide(world.participant, Action.CONTRIBUTE, world.session).code == "frozen"
    response = client.patch(f"/sessions/{world.session.pk}", {"title": "Rouverte ?"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "frozen"


EDIT = {"trainer", "admin", "admin_granted"}


@pytest.mark.parametrize("standing", STANDINGS)
def test_who_edits_and_closes_a_session(world, api, standing):
    client = api(world.by_standing(standing))
    response = client.patch(f"/sessions/{world.session.pk}", {"title": "Nouveau titre"})
    closed = client.post(f"/sessions/{world.session.pk}/close")
    world.session.refresh_from_db()
    if standing in EDIT:
        assert (response.status_code, closed.status_code) == (200, 200)
        assert (world.session.title, world.session.state) == ("Nouveau titre", "closed")
    else:
        assert (response.status_code, closed.status_code) == (403, 403)
        assert (world.session.title, world.session.state) == ("Session Rouen Nord", "open")


@pytest.mark.parametrize("standing", STANDINGS)
@pytest.mark.parametrize("role", ["participant", "tutor", "trainer"])
def test_who_enrols_whom(world, api, standing, role):
    newcomer = factories.user("nouvelle", first_name="Nadia", last_name="Nouvelle")
    response = api(world.by_standing(standing)).post(
        f"/sessions/{world.session.pk}/members", {"identifier": "nouvelle", "role": role}
    )
    allowed = (
        {"trainer", "admin", "admin_granted"}
        if role == "participant"
        else {
            "admin",
            "admin_granted",
        }
    )
    membership = Membership.objects.filter(session=world.session, user=newcomer).first()
    if standing in allowed:
        assert response.status_code == 201, response.content
        assert response.json()["name"] == "Nadia Nouvelle"
        assert membership.role == role
    else:
        assert response.status_code == 403
        assert membership is None


def test_enrolment_by_email_and_its_refusals(world, api):
    newcomer = factories.user("nouvelle", email="nadia@ac-normandie.fr")
    client = api(world.trainer)
    path = f"/sessions/{world.session.pk}/members"
    response = client.post(path, {"identifier": "Nadia@ac-normandie.fr"})
    assert response.status_code == 201, response.content
    assert Membership.objects.filter(session=world.session, user=newcomer).exists()
    again = client.post(path, {"identifier": "nouvelle"})
    assert again.status_code == 409
    unknown = client.post(path, {"identifier": "personne"})
    assert unknown.status_code == 404
    assert unknown.json()["error"]["details"]["field"] == "username"


@pytest.fixture
def open_session(world):
    parcours = factories.parcours("Autoformation", origin="national", kind="self_enrolment")
    return factories.session(parcours_obj=parcours, academy_obj=world.session.academy)


def test_a_teacher_finds_an_open_access_session_and_joins_it(world, api, open_session):
    client = api(world.outsider)
    listed = [row["id"] for row in client.get("/catalogue").json()]
    assert listed == [open_session.pk]
    response = client.post(f"/sessions/{open_session.pk}/enrol")
    assert response.status_code == 201, response.content
    assert response.json()["role"] == "participant"
    assert client.get("/catalogue").json() == []
    assert open_session.pk in [row["id"] for row in client.get("/sessions").json()]
    assert client.post(f"/sessions/{open_session.pk}/enrol").status_code == 403


def test_a_tutored_session_is_never_joined_alone(world, api):
    response = api(world.outsider).post(f"/sessions/{world.session.pk}/enrol")
    assert response.status_code == 403
    assert "inscription libre" in response.json()["error"]["message"]
    assert not Membership.objects.filter(session=world.session, user=world.outsider).exists()
    assert api(world.outsider).get("/catalogue").json() == []


def test_an_ended_open_session_leaves_the_catalogue_and_refuses_newcomers(world, api, open_session):
    open_session.ends_on = factories.days_from_today(-1)
    open_session.starts_on = open_session.ends_on - timedelta(days=10)
    open_session.save()
    client = api(world.outsider)
    assert client.get("/catalogue").json() == []
    response = client.post(f"/sessions/{open_session.pk}/enrol")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "frozen"


def test_an_administrator_creates_an_account_that_its_owner_activates(world, api, client):
    response = api(world.admin).post(
        "/accounts",
        {
            "username": "lea.morel",
            "first_name": "Léa",
            "last_name": "Morel",
            "email": "lea.morel@ac-normandie.fr",
            "school": "École Jean-Moulin, Dieppe",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Léa Morel"
    user = get_user_model().objects.get(username="lea.morel")
    assert not user.has_usable_password()
    profile = Profile.objects.get(user=user)
    assert (profile.academy, profile.school) == (world.session.academy, "École Jean-Moulin, Dieppe")
    # The owner opens the link, chooses a password, and logs in with it.
    page = client.get(body["activation_path"], follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0]
    done = client.post(
        form_url, {"new_password1": "Un-mot-de-passe-42", "new_password2": "Un-mot-de-passe-42"}
    )
    assert done.status_code == 302
    assert client.login(username="lea.morel", password="Un-mot-de-passe-42")
    # The link is spent.
    client.logout()
    assert b"plus valable" in client.get(body["activation_path"], follow=True).content


@pytest.mark.parametrize("standing", STANDINGS)
def test_only_administrators_create_accounts(world, api, standing):
    response = api(world.by_standing(standing)).post(
        "/accounts", {"username": "nouveau", "first_name": "N", "last_name": "Ouveau"}
    )
    created = get_user_model().objects.filter(username="nouveau").exists()
    assert created is (standing in {"admin", "admin_granted"})
    assert response.status_code == (201 if created else 403)


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"username": "participant"}, 409, "username"),
        ({"username": "avec espace"}, 422, "username"),
        ({"email": "pas-une-adresse"}, 422, "email"),
        ({"first_name": "   "}, 422, "first_name"),
        ({"username": "x" * 151}, 422, "username"),
    ],
)
def test_a_refused_account_names_its_field(world, api, fields, status, field):
    before = get_user_model().objects.count()
    payload = {"username": "nouveau", "first_name": "N", "last_name": "O"} | fields
    response = api(world.admin).post("/accounts", payload)
    assert response.status_code == status, response.content
    assert response.json()["error"]["details"]["field"] == field
    assert get_user_model().objects.count() == before


def test_the_desk_lists_the_academys_sessions_with_what_the_admin_may_do(world, api):
    reunion = factories.academy("reunion", timezone="Indian/Reunion")
    factories.session(academy_obj=reunion, title="Session réunionnaise")
    rows = {row["title"]: row for row in api(world.admin).get("/desk/sessions").json()}
    assert set(rows) == {"Session Rouen Nord", "Autre session"}
    row = rows["Session Rouen Nord"]
    assert (row["participants"], row["finished"], row["trainers"]) == (2, 0, ["Trainer Test"])
    assert "session.manage_enrolments" in row["actions"]
    assert "admin.grant_access" in row["actions"]
    # Without a grant she manages the session but does not enter it.
    assert "session.enter" not in row["actions"]
    granted = {r["title"]: r for r in api(world.admin_granted).get("/desk/sessions").json()}
    assert "session.enter" in granted["Session Rouen Nord"]["actions"]
    assert "session.enter" not in granted["Autre session"]["actions"]


@pytest.mark.parametrize("standing", STANDINGS)
def test_only_administrators_have_a_desk(world, api, standing):
    for path in ("/desk/sessions", "/desk/grants"):
        response = api(world.by_standing(standing)).get(path)
        assert response.status_code == (200 if standing in {"admin", "admin_granted"} else 403)


def test_the_desk_lists_the_administrators_own_grants(world, api):
    rows = api(world.admin_granted).get("/desk/grants").json()
    assert [(r["session_id"], r["active"]) for r in rows] == [(world.session.pk, True)]
    assert api(world.admin).get("/desk/grants").json() == []


def _running_routes() -> list[tuple[str, str]]:
    """Every route of parcours/routes/ (authoring, sessions, enrolment, accounts, desks)."""
    from parcours.routes import authoring, running
    from parcours.routes.base import router

    modules = {authoring.__name__, running.__name__}
    found = []
    for path, view in router.path_operations.items():
        for operation in view.operations:
            if operation.view_func.__module__ in modules:
                found += [(method.lower(), path) for method in operation.methods]
    return sorted(found)


def test_the_running_routes_are_all_listed():
    assert len(_running_routes()) >= 20


@pytest.mark.parametrize(("method", "path"), _running_routes())
def test_every_running_route_refuses_a_caller_without_credentials(world, api, method, path):
    before = (Session.objects.count(), Membership.objects.count())
    concrete = path
    for name in ("parcours_id", "section_id", "activity_id", "session_id"):
        concrete = concrete.replace(f"{{{name}}}", str(world.session.pk))
    kwargs = {} if method in {"get", "delete"} else {"body": {}}
    response = getattr(api(None), method)(concrete, **kwargs)
    assert response.status_code == 401, (path, response.content)
    assert response.json()["error"]["code"] == "unauthenticated"
    assert (Session.objects.count(), Membership.objects.count()) == before


@pytest.mark.parametrize("standing", STANDINGS)
def test_only_administrators_withdraw_a_tutor(world, api, standing):
    response = api(world.by_standing(standing)).delete(
        f"/sessions/{world.session.pk}/members/{world.tutor.pk}"
    )
    still_in = Membership.objects.filter(session=world.session, user=world.tutor).exists()
    assert still_in is (standing not in {"admin", "admin_granted"})
    assert response.status_code == (403 if still_in else 204)
