"""Questionnaire pages: a session's list (and, for its trainer, a new one), and one
questionnaire: the form to answer, saying first whether it is anonymous; its results for
the session's trainers and tutors."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from parcours import audit, policies
from parcours import selectors as parcours_selectors
from parcours.errors import ServiceError
from parcours.models import Activity
from parcours.policies import Action
from parcours.views_desk import refuse

from . import selectors


def _can(user, session) -> dict[str, bool]:
    allowed = policies.allowed_actions(user, session)
    return {action.name.lower(): action in allowed for action in Action}


@login_required
def session_questionnaires(request: HttpRequest, session_id: int) -> HttpResponse:
    try:
        session = parcours_selectors.get_session(session_id)
        decision = policies.require(request.user, Action.VIEW_ACTIVITIES, session)
    except ServiceError as exc:
        return refuse(request, exc)
    audit.record_read(
        actor=request.user, decision=decision, kind="questionnaires", object_id=session_id
    )
    can = _can(request.user, session)
    activities = Activity.objects.filter(
        section__parcours=session.parcours_id, kind=Activity.Kind.QUESTIONNAIRE
    )
    return render(
        request,
        "questionnaires/session_questionnaires.html",
        {
            "session": session,
            "can": can,
            "questionnaires": selectors.questionnaires_of(session, request.user),
            "activities": activities if can["manage_questionnaires"] else [],
        },
    )


@login_required
def questionnaire_page(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    user = request.user
    try:
        questionnaire = selectors.get_questionnaire(questionnaire_id)
        decision = policies.require(user, Action.VIEW_ACTIVITIES, questionnaire.session)
    except ServiceError as exc:
        return refuse(request, exc)
    audit.record_read(
        actor=user, decision=decision, kind="questionnaire", object_id=questionnaire_id
    )
    session = questionnaire.session
    can = _can(user, session)
    context = {
        "questionnaire": questionnaire,
        "session": session,
        "can": can,
        "questions": list(questionnaire.questions.all()),
        "answered": selectors.has_answered(questionnaire, user),
        "answers": None,
    }
    if can["view_questionnaire_results"]:
        context["results"] = selectors.results(questionnaire)
        if policies.decide_answers(user, session, nominative=questionnaire.nominative):
            context["answers"] = selectors.nominative_answers(questionnaire)
    return render(request, "questionnaires/questionnaire.html", context)
