"""Questionnaires: trainers write them, participants answer once, results name nobody unless
the questionnaire was created nominative."""

import csv
import io

import pytest

from parcours.models import Activity
from questionnaires.models import Answered, Questionnaire, Response
from tests import factories
from tests.conftest import STANDINGS

QUESTIONS = [
    {"text": "Votre niveau en lecture ?", "kind": "single", "choices": ["Débutant", "Confirmé"]},
    {"text": "Vos outils ?", "kind": "multiple", "choices": ["Albums", "Fiches", "Jeux"]},
    {"text": "Une attente ?", "kind": "text"},
]


def _create(api, world, *, nominative=False, **extra):
    response = api(world.trainer).post(
        f"/sessions/{world.session.pk}/questionnaires",
        {"title": "Quiz de positionnement", "nominative": nominative, "questions": QUESTIONS}
        | extra,
    )
    assert response.status_code == 201, response.content
    return response.json()


def _answers(created: dict, single: int, multiple: list[int], text: str) -> dict:
    ids = [q["id"] for q in created["questions"]]
    return {"answers": {str(ids[0]): [single], str(ids[1]): multiple, str(ids[2]): text}}


def _participants(world, count: int) -> list:
    extra = [
        factories.member(world.session, "participant", username=f"eleve{n}").user
        for n in range(count - 2)
    ]
    return [world.participant, world.other_participant, *extra]


def test_a_trainer_writes_a_questionnaire_anonymous_by_default(world, api):
    created = _create(api, world)
    assert created["nominative"] is False
    assert [(q["kind"], q["choices"]) for q in created["questions"]] == [
        ("single", ["Débutant", "Confirmé"]),
        ("multiple", ["Albums", "Fiches", "Jeux"]),
        ("text", []),
    ]
    seen = api(world.participant).get(f"/questionnaires/{created['id']}").json()
    assert (seen["nominative"], seen["answered"]) == (False, False)


def test_anonymous_results_are_counts_and_texts_and_never_name_anyone(world, api):
    created = _create(api, world)
    people = _participants(world, 4)
    texts = ["Des albums", "Zut, rien", "avancer"]
    for person, (single, multiple, text) in zip(
        people,
        [(0, [0, 1], texts[0]), (1, [0], texts[1]), (1, [2], texts[2]), (1, [0], "")],
        strict=True,
    ):
        body = _answers(created, single, multiple, text)
        status = api(person).post(f"/questionnaires/{created['id']}/responses", body).status_code
        assert status == (204 if text else 422)
    assert Response.objects.filter(questionnaire_id=created["id"], user__isnull=False).count() == 0
    results = api(world.trainer).get(f"/questionnaires/{created['id']}/results").json()
    assert (results["responses"], results["withheld"]) == (3, False)
    single, multiple, free = results["questions"]
    assert [c["count"] for c in single["choices"]] == [1, 2]
    assert [c["count"] for c in multiple["choices"]] == [2, 1, 1]
    assert free["texts"] == ["avancer", "Des albums", "Zut, rien"]  # alphabetical, not by time
    # Nobody's name anywhere: the API, the CSV, the page.
    names = [p.get_full_name() for p in people] + [p.username for p in people]
    exported = api(world.trainer).get(f"/questionnaires/{created['id']}/results.csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["question", "réponse", "effectif"]
    assert ["Votre niveau en lecture ?", "Confirmé", "2"] in rows
    from django.test import Client

    page = Client()
    page.force_login(world.trainer)
    html = page.get(f"/questionnaires/{created['id']}/").content.decode()
    for text in (str(results), exported.content.decode(), html.split('id="results"', 1)[1]):
        assert not any(name in text for name in names)
    assert 'id="nominative-answers"' not in html
    refused = api(world.trainer).get(f"/questionnaires/{created['id']}/answers")
    assert refused.status_code == 403
    assert "anonyme" in refused.json()["error"]["message"]


def test_anonymous_results_wait_for_three_responses(world, api):
    created = _create(api, world)
    body = _answers(created, 0, [0], "Une attente")
    api(world.participant).post(f"/questionnaires/{created['id']}/responses", body)
    results = api(world.trainer).get(f"/questionnaires/{created['id']}/results").json()
    assert (results["responses"], results["withheld"]) == (1, True)
    assert results["questions"][0]["choices"][0]["count"] is None
    assert results["questions"][2]["texts"] == []


def test_a_nominative_questionnaire_shows_who_answered_what_to_its_trainers(world, api):
    created = _create(api, world, nominative=True)
    body = _answers(created, 1, [0, 2], "Lire plus d'albums")
    api(world.participant).post(f"/questionnaires/{created['id']}/responses", body)
    rows = api(world.tutor).get(f"/questionnaires/{created['id']}/answers").json()
    assert rows == [
        {"name": "Participant Test", "answers": ["Confirmé", "Albums, Jeux", "Lire plus d'albums"]}
    ]
    # Even then the results and their CSV are counts only.
    results = api(world.trainer).get(f"/questionnaires/{created['id']}/results").json()
    assert results["withheld"] is False
    csv_text = api(world.trainer).get(f"/questionnaires/{created['id']}/results.csv").content
    assert b"Participant" not in csv_text


def test_a_participant_answers_once(world, api):
    created = _create(api, world)
    client = api(world.participant)
    body = _answers(created, 0, [1], "Rien")
    assert client.post(f"/questionnaires/{created['id']}/responses", body).status_code == 204
    again = client.post(f"/questionnaires/{created['id']}/responses", body)
    assert again.status_code == 409
    assert Response.objects.filter(questionnaire_id=created["id"]).count() == 1
    assert client.get(f"/questionnaires/{created['id']}").json()["answered"] is True


def test_a_questionnaire_is_frozen_after_the_sessions_end(world, api):
    created = _create(api, world)
    world.session.state = world.session.State.CLOSED
    world.session.save()
    body = _answers(created, 0, [1], "Trop tard")
    response = api(world.participant).post(f"/questionnaires/{created['id']}/responses", body)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "frozen"
    refused = api(world.trainer).post(
        f"/sessions/{world.session.pk}/questionnaires", {"title": "Bilan", "questions": QUESTIONS}
    )
    assert refused.json()["error"]["code"] == "frozen"
    # The results stay readable.
    assert api(world.trainer).get(f"/questionnaires/{created['id']}/results").status_code == 200


ROUTES = {
    # (method, path, who may)
    "create": ("post", "/sessions/{session}/questionnaires", {"trainer"}),
    "list": ("get", "/sessions/{session}/questionnaires", {"participant", "tutor", "trainer",
                                                           "admin_granted"}),
    "read": ("get", "/questionnaires/{q}", {"participant", "tutor", "trainer", "admin_granted"}),
    "answer": ("post", "/questionnaires/{q}/responses", {"participant"}),
    "results": ("get", "/questionnaires/{q}/results", {"tutor", "trainer"}),
    "csv": ("get", "/questionnaires/{q}/results.csv", {"tutor", "trainer"}),
    "answers": ("get", "/questionnaires/{q}/answers", {"tutor", "trainer"}),
    "delete": ("delete", "/questionnaires/{q}", {"trainer"}),
}  # fmt: skip


@pytest.mark.parametrize("standing", STANDINGS)
@pytest.mark.parametrize("route", list(ROUTES))
def test_questionnaire_permissions(world, api, standing, route):
    created = _create(api, world, nominative=True)
    method, template, who = ROUTES[route]
    path = template.format(session=world.session.pk, q=created["id"])
    body = {
        "create": {"title": "Bilan", "questions": QUESTIONS},
        "answer": _answers(created, 0, [0], "Oui"),
    }.get(route)
    before = (Questionnaire.objects.count(), Response.objects.count(), Answered.objects.count())
    kwargs = {"body": body} if body is not None else {}
    response = getattr(api(world.by_standing(standing)), method)(path, **kwargs)
    if standing in who:
        assert response.status_code in {200, 201, 204}, response.content
    else:
        assert response.status_code == 403, response.content
        assert response.json()["error"]["code"] == "forbidden"
        after = (Questionnaire.objects.count(), Response.objects.count(), Answered.objects.count())
        assert after == before


def test_an_answered_questionnaire_is_not_deleted(world, api):
    created = _create(api, world)
    api(world.participant).post(
        f"/questionnaires/{created['id']}/responses", _answers(created, 0, [0], "Oui")
    )
    assert api(world.trainer).delete(f"/questionnaires/{created['id']}").status_code == 409
    assert Questionnaire.objects.filter(pk=created["id"]).exists()


def test_the_questionnaire_activity_opens_its_questionnaire(world, api):
    section = world.session.parcours.sections.first()
    activity = Activity.objects.create(
        section=section, title="Quiz de positionnement", kind="questionnaire", position=50
    )
    outline = api(world.participant).get(f"/sessions/{world.session.pk}").json()["sections"]
    (row,) = [a for s in outline for a in s["activities"] if a["id"] == activity.pk]
    assert row["url"] == f"/sessions/{world.session.pk}/questionnaires/"
    created = _create(api, world, activity_id=activity.pk)
    outline = api(world.participant).get(f"/sessions/{world.session.pk}").json()["sections"]
    (row,) = [a for s in outline for a in s["activities"] if a["id"] == activity.pk]
    assert (row["kind"], row["url"]) == ("questionnaire", f"/questionnaires/{created['id']}/")


def test_a_questionnaire_names_only_an_activity_of_its_own_parcours(world, api):
    foreign = Activity.objects.create(
        section=world.other_session.parcours.sections.first(), title="Q", kind="questionnaire"
    )
    response = api(world.trainer).post(
        f"/sessions/{world.session.pk}/questionnaires",
        {"title": "Bilan", "questions": QUESTIONS, "activity_id": foreign.pk},
    )
    assert response.status_code == 404
    assert response.json()["error"]["details"]["field"] == "activity_id"
    assert not Questionnaire.objects.exists()
