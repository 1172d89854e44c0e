"""Questionnaires: created by trainers, answered by participants, read as group results."""

from django.http import HttpRequest
from ninja import Router, Status

from parcours import audit, policies
from parcours import selectors as parcours_selectors
from parcours.exports import spreadsheet
from parcours.inputs import Id
from parcours.policies import Action

from . import selectors, services
from .schemas import (
    AnswersIn,
    NominativeAnswerOut,
    QuestionnaireIn,
    QuestionnaireOut,
    QuestionnaireRowOut,
    ResultsOut,
)

router = Router()


def _detail(questionnaire, user) -> dict:
    return {
        "id": questionnaire.pk,
        "session_id": questionnaire.session_id,
        "activity_id": questionnaire.activity_id,
        "title": questionnaire.title,
        "nominative": questionnaire.nominative,
        "answered": selectors.has_answered(questionnaire, user),
        "questions": list(questionnaire.questions.all()),
    }


@router.get("/sessions/{session_id}/questionnaires", response=list[QuestionnaireRowOut])
def list_questionnaires(request: HttpRequest, session_id: Id):
    session = parcours_selectors.get_session(session_id)
    decision = policies.require(request.user, Action.VIEW_ACTIVITIES, session)
    audit.record_read(
        actor=request.user, decision=decision, kind="questionnaires", object_id=session_id
    )
    staff = policies.can(request.user, Action.VIEW_QUESTIONNAIRE_RESULTS, session)
    return [
        {
            "id": q.pk,
            "activity_id": q.activity_id,
            "title": q.title,
            "nominative": q.nominative,
            "questions": q.question_count,
            "answered": q.has_answered,
            "responses": q.response_count if staff else None,
        }
        for q in selectors.questionnaires_of(session, request.user)
    ]


@router.post("/sessions/{session_id}/questionnaires", response={201: QuestionnaireOut})
def create_questionnaire(request: HttpRequest, session_id: Id, payload: QuestionnaireIn):
    session = parcours_selectors.get_session(session_id)
    fields = payload.dict()
    questionnaire = services.create_questionnaire(session=session, actor=request.user, **fields)
    return Status(201, _detail(questionnaire, request.user))


@router.get("/questionnaires/{questionnaire_id}", response=QuestionnaireOut)
def questionnaire_detail(request: HttpRequest, questionnaire_id: Id):
    questionnaire = selectors.get_questionnaire(questionnaire_id)
    decision = policies.require(request.user, Action.VIEW_ACTIVITIES, questionnaire.session)
    audit.record_read(
        actor=request.user, decision=decision, kind="questionnaire", object_id=questionnaire_id
    )
    return _detail(questionnaire, request.user)


@router.delete("/questionnaires/{questionnaire_id}", response={204: None})
def delete_questionnaire(request: HttpRequest, questionnaire_id: Id):
    questionnaire = selectors.get_questionnaire(questionnaire_id)
    services.delete_questionnaire(questionnaire=questionnaire, actor=request.user)
    return Status(204, None)


@router.post("/questionnaires/{questionnaire_id}/responses", response={204: None})
def answer(request: HttpRequest, questionnaire_id: Id, payload: AnswersIn):
    questionnaire = selectors.get_questionnaire(questionnaire_id)
    services.answer(questionnaire=questionnaire, user=request.user, answers=payload.answers)
    return Status(204, None)


@router.get("/questionnaires/{questionnaire_id}/results", response=ResultsOut)
def results(request: HttpRequest, questionnaire_id: Id):
    questionnaire = selectors.get_questionnaire(questionnaire_id)
    policies.require(request.user, Action.VIEW_QUESTIONNAIRE_RESULTS, questionnaire.session)
    return selectors.results(questionnaire)


@router.get("/questionnaires/{questionnaire_id}/results.csv")
def results_csv(request: HttpRequest, questionnaire_id: Id):
    """The group results as a spreadsheet: counts and texts, never a name, even for a
    nominative questionnaire (nominative exports are not the platform's)."""
    questionnaire = selectors.get_questionnaire(questionnaire_id)
    policies.require(request.user, Action.VIEW_QUESTIONNAIRE_RESULTS, questionnaire.session)
    data = selectors.results(questionnaire)
    table = [["question", "réponse", "effectif"]]
    for question in data["questions"]:
        for choice in question["choices"]:
            count = "" if choice["count"] is None else choice["count"]
            table.append([question["text"], choice["label"], count])
        table += [[question["text"], text, ""] for text in question["texts"]]
    return spreadsheet(table, filename=f"questionnaire-{questionnaire.pk}-resultats.csv")


@router.get("/questionnaires/{questionnaire_id}/answers", response=list[NominativeAnswerOut])
def nominative_answers(request: HttpRequest, questionnaire_id: Id):
    """Who answered what: a nominative questionnaire's trainers and tutors only."""
    questionnaire = selectors.get_questionnaire(questionnaire_id)
    policies.decide_answers(
        request.user, questionnaire.session, nominative=questionnaire.nominative
    ).raise_if_denied()
    return selectors.nominative_answers(questionnaire)
