"""Demo questionnaires: the positioning quiz (anonymous, answered by enough participants for
its results to show) and the end-of-training evaluation (nominative), in a session."""

from django.db import transaction

from parcours.models import Activity, Membership, Session

from . import services
from .models import Questionnaire

QUIZ = [
    {
        "text": "Comment vos élèves comprennent-ils un texte lu ?",
        "kind": "single",
        "choices": ["Bien, la plupart", "Inégalement", "Avec difficulté"],
    },
    {
        "text": "Quelles stratégies enseignez-vous déjà ?",
        "kind": "multiple",
        "choices": ["Anticiper", "Reformuler", "Chercher l'implicite", "Aucune encore"],
    },
    {"text": "Qu'attendez-vous de ce parcours ?", "kind": "text"},
]
EVALUATION = [
    {
        "text": "Le parcours a-t-il répondu à vos attentes ?",
        "kind": "single",
        "choices": ["Oui", "En partie", "Non"],
    },
    {"text": "Ce que vous allez changer dans votre classe :", "kind": "text"},
]
ANSWERS = [
    (1, [0, 1], "Des idées de séances sur l'implicite."),
    (0, [1], "Mieux questionner après la lecture."),
    (1, [3], "Des albums pour commencer."),
    (2, [0], "Aider mes élèves les plus fragiles."),
]


def _activity(session: Session, title_start: str) -> Activity | None:
    return Activity.objects.filter(
        section__parcours=session.parcours_id,
        kind=Activity.Kind.QUESTIONNAIRE,
        title__startswith=title_start,
    ).first()


@transaction.atomic
def seed(session: Session) -> None:
    """Idempotent: a session that has questionnaires is left as it is."""
    if Questionnaire.objects.filter(session=session).exists():
        return
    members = Membership.objects.filter(session=session).select_related("user").order_by("id")
    trainer = members.filter(role=Membership.Role.TRAINER).first().user
    quiz = services.create_questionnaire(
        session=session,
        actor=trainer,
        title="Quiz de positionnement",
        questions=QUIZ,
        activity_id=getattr(_activity(session, "Quiz"), "pk", None),
    )
    services.create_questionnaire(
        session=session,
        actor=trainer,
        title="Bilan de fin de formation",
        questions=EVALUATION,
        nominative=True,
        activity_id=getattr(_activity(session, "Retour"), "pk", None),
    )
    ids = [q.pk for q in quiz.questions.all()]
    # participant01 keeps the quiz to answer; four of their peers have answered it.
    participants = [m.user for m in members.filter(role=Membership.Role.PARTICIPANT)][1:5]
    for user, (single, multiple, text) in zip(participants, ANSWERS, strict=False):
        services.answer(
            questionnaire=quiz,
            user=user,
            answers={ids[0]: [single], ids[1]: multiple, ids[2]: text},
        )
