"""Creating, answering and removing questionnaires. Every rule of who may is in
`parcours.policies`; what a valid questionnaire and a valid answer are is here."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from parcours import policies
from parcours.errors import ErrorCode, ServiceError
from parcours.models import Activity, Session
from parcours.policies import Action

from .models import Answered, Question, Questionnaire, Response

MAX_QUESTIONS = 50
MAX_CHOICES = 20
MAX_TEXT_ANSWER = 5000


def invalid(field: str, message: str) -> ServiceError:
    return ServiceError(ErrorCode.INVALID, message, {"field": field})


def _clean_question(index: int, raw: dict) -> Question:
    field = f"questions.{index}"
    text = raw["text"].strip()
    if not text:
        raise invalid(f"{field}.text", gettext("Une question ne peut pas être vide."))
    kind = raw["kind"]
    choices = [choice.strip() for choice in raw.get("choices") or []]
    if kind == Question.Kind.TEXT:
        if choices:
            raise invalid(
                f"{field}.choices", gettext("Une question à réponse libre n'a pas de choix.")
            )
    elif not 2 <= len(choices) <= MAX_CHOICES or not all(choices):
        raise invalid(
            f"{field}.choices",
            gettext("Une question à choix propose de 2 à %(max)d réponses non vides.")
            % {"max": MAX_CHOICES},
        )
    elif len(set(choices)) != len(choices):
        raise invalid(f"{field}.choices", gettext("Deux choix identiques."))
    return Question(position=index + 1, text=text, kind=kind, choices=choices)


def _questionnaire_activity(session: Session, activity_id: int | None) -> Activity | None:
    if activity_id is None:
        return None
    activity = Activity.objects.filter(
        pk=activity_id, section__parcours=session.parcours_id, kind=Activity.Kind.QUESTIONNAIRE
    ).first()
    if activity is None:
        raise ServiceError(
            ErrorCode.NOT_FOUND,
            gettext("Aucune activité questionnaire %(id)s dans ce parcours.") % {"id": activity_id},
            {"field": "activity_id", "resource": "activité"},
        )
    return activity


@transaction.atomic
def create_questionnaire(
    *,
    session: Session,
    actor,
    title: str,
    questions: list[dict],
    nominative: bool = False,
    activity_id: int | None = None,
) -> Questionnaire:
    """A questionnaire, anonymous unless `nominative` (chosen now, for good)."""
    policies.require(actor, Action.MANAGE_QUESTIONNAIRES, session)
    title = title.strip()
    if not title:
        raise invalid("title", gettext("Le titre ne peut pas être vide."))
    if not 1 <= len(questions) <= MAX_QUESTIONS:
        raise invalid(
            "questions",
            gettext("De 1 à %(max)d questions par questionnaire.") % {"max": MAX_QUESTIONS},
        )
    cleaned = [_clean_question(index, raw) for index, raw in enumerate(questions)]
    questionnaire = Questionnaire.objects.create(
        session=session,
        activity=_questionnaire_activity(session, activity_id),
        title=title,
        nominative=nominative,
    )
    for question in cleaned:
        question.questionnaire = questionnaire
    Question.objects.bulk_create(cleaned)
    return questionnaire


def _clean_answer(question: Question, value) -> list[int] | str:
    field = f"answers.{question.pk}"
    if question.kind == Question.Kind.TEXT:
        text = value.strip() if isinstance(value, str) else ""
        if not text:
            raise invalid(field, gettext("Répondez à « %(q)s ».") % {"q": question.text})
        if len(text) > MAX_TEXT_ANSWER:
            raise invalid(field, gettext("%(max)d caractères au plus.") % {"max": MAX_TEXT_ANSWER})
        return text
    picked = value if isinstance(value, list) else None
    if not picked or not all(isinstance(i, int) and not isinstance(i, bool) for i in picked):
        raise invalid(field, gettext("Choisissez une réponse à « %(q)s ».") % {"q": question.text})
    if len(set(picked)) != len(picked) or not all(0 <= i < len(question.choices) for i in picked):
        raise invalid(field, gettext("Choix inconnu pour « %(q)s ».") % {"q": question.text})
    if question.kind == Question.Kind.SINGLE and len(picked) != 1:
        raise invalid(field, gettext("Une seule réponse à « %(q)s ».") % {"q": question.text})
    return sorted(picked)


@transaction.atomic
def answer(*, questionnaire: Questionnaire, user, answers: dict[int, list[int] | str]) -> None:
    """Record a participant's answers, once; with their name only if nominative."""
    policies.require(user, Action.ANSWER_QUESTIONNAIRE, questionnaire.session)
    questions = {q.pk: q for q in questionnaire.questions.all()}
    unknown = sorted(set(answers) - set(questions))
    if unknown:
        raise invalid(
            f"answers.{unknown[0]}", gettext("Cette question n'est pas de ce questionnaire.")
        )
    cleaned = {
        str(pk): _clean_answer(question, answers.get(pk)) for pk, question in questions.items()
    }
    try:
        with transaction.atomic():
            Answered.objects.create(questionnaire=questionnaire, user=user)
    except IntegrityError:
        raise ServiceError(
            ErrorCode.CONFLICT, gettext("Vous avez déjà répondu à ce questionnaire.")
        ) from None
    Response.objects.create(
        questionnaire=questionnaire,
        user=user if questionnaire.nominative else None,
        answers=cleaned,
    )


@transaction.atomic
def delete_questionnaire(*, questionnaire: Questionnaire, actor) -> None:
    """Answers given are the participants': a questionnaire somebody answered stays."""
    policies.require(actor, Action.MANAGE_QUESTIONNAIRES, questionnaire.session)
    if questionnaire.answered.exists():
        raise ServiceError(
            ErrorCode.CONFLICT,
            gettext("Des participants ont déjà répondu : le questionnaire reste en place."),
        )
    questionnaire.delete()
