"""Bad questionnaires and bad answers: a clear 4xx naming the field, nothing stored."""

import pytest

from questionnaires.models import Answered, Question, Questionnaire, Response
from tests.questionnaires.test_questionnaires import QUESTIONS, _create

HUGE = 2**64
NUL = "\x00"


def _state() -> tuple:
    return (
        list(Questionnaire.objects.values_list("id", "title", "nominative")),
        list(Question.objects.values_list("id", "text", "choices")),
        Response.objects.count(),
        Answered.objects.count(),
    )


NEW = [
    ("no question", {"title": "Q", "questions": []}, 422, "questions"),
    ("51 questions", {"title": "Q", "questions": [QUESTIONS[2]] * 51}, 422, "questions"),
    ("blank title", {"title": "  ", "questions": QUESTIONS}, 422, "title"),
    ("NUL in a question", {"title": "Q", "questions": [{"text": NUL, "kind": "text"}]}, 422,
     "questions.0.text"),
    ("unknown kind", {"title": "Q", "questions": [{"text": "Q", "kind": "echelle"}]}, 422,
     "questions.0.kind"),
    ("one choice only", {"title": "Q", "questions": [{"text": "Q", "kind": "single",
                                                      "choices": ["Oui"]}]}, 422,
     "questions.0.choices"),
    ("an empty choice", {"title": "Q", "questions": [{"text": "Q", "kind": "multiple",
                                                      "choices": ["Oui", " "]}]}, 422,
     "questions.0.choices"),
    ("twice the same choice", {"title": "Q", "questions": [{"text": "Q", "kind": "single",
                                                            "choices": ["Oui", "Oui"]}]}, 422,
     "questions.0.choices"),
    ("free text with choices", {"title": "Q", "questions": [{"text": "Q", "kind": "text",
                                                             "choices": ["a", "b"]}]}, 422,
     "questions.0.choices"),
    ("nominative not a bool", {"title": "Q", "nominative": "oui", "questions": QUESTIONS}, 422,
     "nominative"),
    ("activity past 64 bits", {"title": "Q", "questions": QUESTIONS, "activity_id": HUGE}, 422,
     "activity_id"),
    ("unknown activity", {"title": "Q", "questions": QUESTIONS, "activity_id": 999999}, 404,
     "activity_id"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "status", "field"), [c[1:] for c in NEW], ids=[c[0] for c in NEW])
def test_a_bad_questionnaire_is_refused_and_nothing_is_stored(world, api, body, status, field):
    before = _state()
    response = api(world.trainer).post(f"/sessions/{world.session.pk}/questionnaires", body)
    assert response.status_code == status, response.content
    assert response.json()["error"]["details"]["field"] == field
    assert _state() == before


@pytest.fixture
def created(world, api) -> dict:
    return _create(api, world)


def _bad_answers(created: dict) -> list:
    single, multiple, text = (q["id"] for q in created["questions"])
    good = {str(single): [0], str(multiple): [1], str(text): "Oui"}
    return [
        ("not json", None, 400, "body"),
        ("answers missing", {}, 422, "answers"),
        ("a question unanswered", {"answers": {str(single): [0], str(multiple): [1]}}, 422,
         f"answers.{text}"),
        ("a question of another questionnaire", {"answers": good | {"999999": [0]}}, 422,
         "answers.999999"),
        ("a question id past 64 bits", {"answers": good | {str(HUGE): [0]}}, 422, "answers"),
        ("two answers to a single choice", {"answers": good | {str(single): [0, 1]}}, 422,
         f"answers.{single}"),
        ("a choice out of range", {"answers": good | {str(multiple): [7]}}, 422,
         f"answers.{multiple}"),
        ("a choice twice", {"answers": good | {str(multiple): [1, 1]}}, 422,
         f"answers.{multiple}"),
        ("a text for a choice", {"answers": good | {str(single): "Débutant"}}, 422,
         f"answers.{single}"),
        ("a choice for a text", {"answers": good | {str(text): [0]}}, 422, f"answers.{text}"),
        ("a blank text", {"answers": good | {str(text): "   "}}, 422, f"answers.{text}"),
        ("a text too long", {"answers": good | {str(text): "x" * 5001}}, 422, "answers"),
        ("NUL in a text", {"answers": good | {str(text): f"a{NUL}"}}, 422, f"answers.{text}"),
        ("an index that is a bool", {"answers": good | {str(single): [True]}}, 422,
         f"answers.{single}"),
    ]  # fmt: skip


def test_bad_answers_are_refused_one_by_one_and_nothing_is_stored(world, api, created):
    client = api(world.participant)
    path = f"/questionnaires/{created['id']}/responses"
    for name, body, status, field in _bad_answers(created):
        before = _state()
        response = client.post(path, raw="{oops") if body is None else client.post(path, body)
        assert response.status_code == status, (name, response.content)
        named = response.json()["error"]["details"]["field"]
        assert named == field or named.startswith(field), (name, named)
        assert _state() == before, name


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"/questionnaires/{HUGE}", 422),
        ("/questionnaires/999999", 404),
        (f"/questionnaires/{HUGE}/results", 422),
        ("/questionnaires/999999/answers", 404),
        (f"/sessions/{HUGE}/questionnaires", 422),
    ],
)
def test_unknown_and_oversized_ids(world, api, path, status):
    assert api(world.trainer).get(path).status_code == status


def test_another_sessions_questionnaire_stays_closed(world, api):
    from tests import factories

    trainer = factories.member(world.other_session, "trainer", username="autre").user
    response = api(trainer).post(
        f"/sessions/{world.other_session.pk}/questionnaires",
        {"title": "Ailleurs", "questions": QUESTIONS},
    )
    other = response.json()["id"]
    for path in (f"/questionnaires/{other}", f"/questionnaires/{other}/results"):
        assert api(world.trainer).get(path).status_code == 403
    answer = {"answers": {str(q["id"]): [0] for q in response.json()["questions"]}}
    assert (
        api(world.participant).post(f"/questionnaires/{other}/responses", answer).status_code == 403
    )
    assert not Response.objects.exists()
