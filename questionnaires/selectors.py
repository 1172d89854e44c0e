"""Reads of questionnaires: a session's list, one questionnaire, its group results (counts
and texts, never names) and, for a nominative one only, who answered what."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef
from django.urls import reverse

from parcours.activity_links import link_each
from parcours.errors import not_found
from parcours.models import Activity, Session
from parcours.selectors import display_name

from .models import Answered, Question, Questionnaire

# Below this many responses an anonymous questionnaire's results are withheld: with one or
# two answers in, the trainer could tell whose they are from who was seen answering.
ANONYMITY_THRESHOLD = 3


def get_questionnaire(questionnaire_id: int) -> Questionnaire:
    questionnaire = (
        Questionnaire.objects.select_related("session__parcours", "session__academy")
        .filter(pk=questionnaire_id)
        .first()
    )
    if questionnaire is None:
        raise not_found("questionnaire", questionnaire_id)
    return questionnaire


def questionnaires_of(session: Session, user) -> list[Questionnaire]:
    """The session's questionnaires, each with `question_count`, `response_count` and
    whether `user` has `answered`."""
    mine = Answered.objects.filter(questionnaire=OuterRef("pk"), user=user)
    return list(
        Questionnaire.objects.filter(session=session).annotate(
            question_count=Count("questions", distinct=True),
            response_count=Count("answered", distinct=True),
            has_answered=Exists(mine),
        )
    )


def has_answered(questionnaire: Questionnaire, user) -> bool:
    return Answered.objects.filter(questionnaire=questionnaire, user=user).exists()


def results_withheld(questionnaire: Questionnaire, count: int) -> bool:
    return not questionnaire.nominative and 0 < count < ANONYMITY_THRESHOLD


def results(questionnaire: Questionnaire) -> dict:
    """Group results: how many chose each answer, and the free texts in alphabetical order
    (which says nothing of who wrote them or when)."""
    answers = list(questionnaire.responses.values_list("answers", flat=True))
    withheld = results_withheld(questionnaire, len(answers))
    rows = []
    for question in questionnaire.questions.all():
        given = [a[str(question.pk)] for a in answers if str(question.pk) in a]
        row = {"id": question.pk, "text": question.text, "kind": question.kind}
        if question.kind == Question.Kind.TEXT:
            row["choices"] = []
            row["texts"] = [] if withheld else sorted(given, key=str.casefold)
        else:
            row["texts"] = []
            row["choices"] = [
                {"label": label, "count": None if withheld else sum(i in g for g in given)}
                for i, label in enumerate(question.choices)
            ]
        rows.append(row)
    return {
        "questionnaire_id": questionnaire.pk,
        "title": questionnaire.title,
        "nominative": questionnaire.nominative,
        "responses": len(answers),
        "withheld": withheld,
        "threshold": ANONYMITY_THRESHOLD,
        "questions": rows,
    }


def readable_answer(question: Question, value) -> str:
    if question.kind == Question.Kind.TEXT:
        return value
    return ", ".join(question.choices[i] for i in value)


def nominative_answers(questionnaire: Questionnaire) -> list[dict]:
    """Who answered what, for a nominative questionnaire only (the caller asks
    `policies.decide_answers` first)."""
    assert questionnaire.nominative, "an anonymous questionnaire never names anyone"
    questions = list(questionnaire.questions.all())
    responses = questionnaire.responses.select_related("user").order_by(
        "user__last_name", "user__first_name", "user__username"
    )
    return [
        {
            "name": display_name(response.user),
            "answers": [
                readable_answer(q, response.answers[str(q.pk)])
                for q in questions
                if str(q.pk) in response.answers
            ],
        }
        for response in responses
        if response.user is not None
    ]


def activity_links(session: Session, activities: list[Activity]) -> dict[int, str]:
    """A questionnaire activity opens its questionnaire in `session`, or the session's list
    of questionnaires until its trainer has written it."""
    linked = dict(
        Questionnaire.objects.filter(session=session, activity__in=activities)
        .order_by("-id")  # the first one written wins
        .values_list("activity_id", "id")
    )
    listing = reverse("questionnaires:session_questionnaires", args=[session.pk])
    return link_each(activities, linked, detail="questionnaires:questionnaire", listing=listing)
