"""Designers and administrators write their academy's parcours through the API."""

import pytest

from parcours.models import Activity, ActivityCompletion, Parcours, Section
from tests import factories
from tests.conftest import STANDINGS

AUTHORS = {"designer", "admin", "admin_granted"}


@pytest.fixture
def own(world) -> Parcours:
    """An academic parcours of the world's academy: one section, four activities + a guide."""
    return factories.parcours("Parcours normand", origin="academic", academy=world.session.academy)


def _outline(parcours: Parcours) -> list[tuple[str, list[str]]]:
    return [
        (s.title, [a.title for a in s.activities.order_by("position", "id")])
        for s in parcours.sections.order_by("position", "id")
    ]


def test_a_designer_builds_a_parcours_from_nothing(world, api):
    client = api(world.designer)
    response = client.post(
        "/parcours",
        {"title": "Le jeu en maternelle", "distance_minutes": 120, "presence_minutes": 180},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["origin"], body["academy"], body["sections"], body["may_edit"]) == (
        "academic",
        "normandie",
        [],
        True,
    )
    pid = body["id"]
    first = client.post(f"/parcours/{pid}/sections", {"title": "Observer"}).json()
    second = client.post(f"/parcours/{pid}/sections", {"title": "Jouer"}).json()
    # A section inserted first pushes the others down.
    intro = client.post(f"/parcours/{pid}/sections", {"title": "Accueil", "position": 1}).json()
    assert [intro["position"], first["id"], second["id"]] == [1, first["id"], second["id"]]
    response = client.post(
        f"/parcours/{pid}/sections/{first['id']}/activities",
        {"title": "Forum : vos coins jeux", "kind": "forum", "estimated_minutes": 30},
    )
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "forum"
    client.post(
        f"/parcours/{pid}/sections/{first['id']}/activities",
        {"title": "Guide (formateurs)", "trainer_only": True, "estimated_minutes": 10},
    )
    detail = client.get(f"/parcours/{pid}").json()
    assert [s["title"] for s in detail["sections"]] == ["Accueil", "Observer", "Jouer"]
    activities = detail["sections"][1]["activities"]
    assert [(a["title"], a["kind"], a["trainer_only"], a["position"]) for a in activities] == [
        ("Forum : vos coins jeux", "forum", False, 1),
        ("Guide (formateurs)", "resource", True, 2),
    ]


def test_an_author_reorders_renames_and_moves_activities(world, api, own):
    client = api(world.admin)
    section = own.sections.get()
    last = section.activities.order_by("-position").first()
    response = client.patch(
        f"/parcours/{own.pk}/activities/{last.pk}",
        {"position": 1, "title": "Guide d'animation", "estimated_minutes": 25},
    )
    assert response.status_code == 200, response.content
    assert _outline(own)[0][1][0] == "Guide d'animation"
    other = client.post(f"/parcours/{own.pk}/sections", {"title": "Bilan"}).json()
    client.patch(f"/parcours/{own.pk}/activities/{last.pk}", {"section_id": other["id"]})
    assert _outline(own) == [
        ("Section 1", ["Activité 1", "Activité 2", "Activité 3", "Activité 4"]),
        ("Bilan", ["Guide d'animation"]),
    ]
    positions = list(section.activities.order_by("position").values_list("position", flat=True))
    assert positions == [1, 2, 3, 4]
    client.patch(f"/parcours/{own.pk}/sections/{other['id']}", {"position": 1, "title": "Avant"})
    assert [title for title, _ in _outline(own)] == ["Avant", "Section 1"]


def test_an_author_publishes_a_parcours_in_the_offer(world, api, own):
    response = api(world.designer).patch(f"/parcours/{own.pk}", {"published": True})
    assert response.json()["published"] is True
    own.refresh_from_db()
    assert own.published


def test_deleting_an_activity_nobody_did_renumbers_the_rest(world, api, own):
    section = own.sections.get()
    second = section.activities.order_by("position")[1]
    response = api(world.designer).delete(f"/parcours/{own.pk}/activities/{second.pk}")
    assert response.status_code == 204
    assert _outline(own)[0][1] == ["Activité 1", "Activité 3", "Activité 4", "Guide formateur 1"]
    assert list(section.activities.values_list("position", flat=True)) == [1, 2, 3, 4]


def test_what_a_participant_has_done_is_not_deleted_under_them(world, api):
    """The world's session runs on a parcours: an author of its academy may not delete an
    activity somebody has completed, nor its section."""
    parcours = world.session.parcours
    parcours.origin, parcours.academy = "academic", world.session.academy
    parcours.save()
    activity = Activity.objects.filter(section__parcours=parcours, trainer_only=False).first()
    from parcours import services

    services.complete_activity(
        session=world.session, user=world.participant, activity_id=activity.pk
    )
    client = api(world.designer)
    response = client.delete(f"/parcours/{parcours.pk}/activities/{activity.pk}")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    response = client.delete(f"/parcours/{parcours.pk}/sections/{activity.section_id}")
    assert response.status_code == 409
    assert ActivityCompletion.objects.filter(activity=activity).exists()


def test_a_national_parcours_is_copied_then_the_copy_is_adapted(world, api):
    national = factories.parcours("Parcours national", origin="national", activities=2)
    client = api(world.designer)
    refused = client.patch(f"/parcours/{national.pk}", {"title": "Renommé"})
    assert refused.status_code == 403
    assert "dupliquez" in refused.json()["error"]["message"]
    copy = client.post(f"/parcours/{national.pk}/duplicate").json()
    response = client.patch(f"/parcours/{copy['id']}", {"title": "Version normande"})
    assert response.status_code == 200
    section = Section.objects.get(parcours_id=copy["id"])
    client.post(
        f"/parcours/{copy['id']}/sections/{section.pk}/activities",
        {"title": "Visite d'une classe", "kind": "virtual_class"},
    )
    national.refresh_from_db()
    assert national.title == "Parcours national"
    assert Activity.objects.filter(section__parcours=national).count() == 3
    assert Activity.objects.filter(section__parcours_id=copy["id"]).count() == 4


def test_another_academys_published_parcours_is_copied_into_ones_own(world, api):
    reunion = factories.academy("reunion", timezone="Indian/Reunion")
    shared = factories.parcours("Parcours réunionnais", origin="academic", academy=reunion)
    client = api(world.designer)
    assert client.post(f"/parcours/{shared.pk}/duplicate").status_code == 403
    assert client.get(f"/parcours/{shared.pk}").status_code == 403
    shared.published = True
    shared.save()
    listed = {row["id"]: row for row in client.get("/parcours").json()}
    assert listed[shared.pk]["may_duplicate"] and not listed[shared.pk]["may_edit"]
    response = client.post(f"/parcours/{shared.pk}/duplicate")
    assert response.status_code == 201
    assert response.json()["academy"] == "normandie"
    assert client.patch(f"/parcours/{shared.pk}", {"title": "À nous"}).status_code == 403


def test_the_parcours_list_holds_what_the_author_may_edit_or_copy_only(world, api, own):
    reunion = factories.academy("reunion", timezone="Indian/Reunion")
    hidden = factories.parcours("Brouillon réunionnais", origin="academic", academy=reunion)
    national = factories.parcours("National", origin="national")
    rows = {row["id"]: row for row in api(world.designer).get("/parcours").json()}
    assert own.pk in rows and national.pk in rows and hidden.pk not in rows
    assert rows[own.pk]["may_edit"] and not rows[national.pk]["may_edit"]


# Every authoring route, as each standing: who may write is the designers and admins of the
# parcours' academy; everyone else is refused and nothing changes.
ROUTES = [
    ("get", "/parcours", None, 200),
    ("post", "/parcours", {"title": "Nouveau"}, 201),
    ("get", "/parcours/{parcours}", None, 200),
    ("patch", "/parcours/{parcours}", {"title": "Renommé"}, 200),
    ("post", "/parcours/{parcours}/sections", {"title": "Nouvelle"}, 201),
    ("patch", "/parcours/{parcours}/sections/{section}", {"title": "Renommée"}, 200),
    ("delete", "/parcours/{parcours}/sections/{section}", None, 204),
    ("post", "/parcours/{parcours}/sections/{section}/activities", {"title": "Lire"}, 201),
    ("patch", "/parcours/{parcours}/activities/{activity}", {"title": "Lire"}, 200),
    ("delete", "/parcours/{parcours}/activities/{activity}", None, 204),
]


def _rows() -> dict:
    return {
        "parcours": list(Parcours.objects.values_list("id", "title", "published")),
        "sections": list(Section.objects.values_list("id", "title", "position")),
        "activities": list(Activity.objects.values_list("id", "title", "position")),
    }


@pytest.mark.parametrize("standing", STANDINGS)
@pytest.mark.parametrize(("method", "template", "body", "status"), ROUTES)
def test_authoring_permissions(world, api, own, standing, method, template, body, status):
    section = own.sections.get()
    activity = section.activities.first()
    path = template.format(parcours=own.pk, section=section.pk, activity=activity.pk)
    before = _rows()
    kwargs = {"body": body} if body is not None else {}
    response = getattr(api(world.by_standing(standing)), method)(path, **kwargs)
    if standing in AUTHORS:
        assert response.status_code == status, response.content
    else:
        assert response.status_code == 403, response.content
        assert response.json()["error"]["code"] == "forbidden"
        assert _rows() == before


@pytest.mark.parametrize("standing", sorted(AUTHORS))
def test_authors_of_another_academy_are_refused_and_nothing_changes(world, api, standing):
    reunion = factories.academy("reunion", timezone="Indian/Reunion")
    foreign = factories.parcours("Réunion", origin="academic", academy=reunion, published=True)
    section = foreign.sections.get()
    before = _rows()
    client = api(world.by_standing(standing))
    assert client.patch(f"/parcours/{foreign.pk}", {"title": "X"}).status_code == 403
    assert client.delete(f"/parcours/{foreign.pk}/sections/{section.pk}").status_code == 403
    response = client.post(
        f"/parcours/{foreign.pk}/sections/{section.pk}/activities", {"title": "X"}
    )
    assert response.status_code == 403
    response = client.post("/parcours", {"title": "X", "academy_id": reunion.pk})
    assert response.status_code == 403
    assert _rows() == before
