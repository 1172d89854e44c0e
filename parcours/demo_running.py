"""Demo data for running a training, on top of `demo.seed`: activities that open their
tools, an academic copy the designer adapts, a published parcours of La Réunion to copy, a
planned session the administrator fills, an open-access session to join, and a finished
participant with an attestation. Idempotent, through the same services as the API."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import authoring, running, services
from .demo import PARCOURS_TITLE
from .models import Academy, Activity, Membership, Parcours, Section, Session

# Activity kinds of the national parcours, by the start of their title.
KINDS = {
    "Forum": Activity.Kind.FORUM,
    "Classe virtuelle": Activity.Kind.VIRTUAL_CLASS,
    "Quiz": Activity.Kind.QUESTIONNAIRE,
    "Espace collaboratif": Activity.Kind.COLLABORATIVE,
    "Retour d'expérience": Activity.Kind.QUESTIONNAIRE,
}
COPY_TITLE = "Compréhension en lecture — version normande"
PLANNED_TITLE = "Compréhension en lecture — Dieppe"
REUNION_TITLE = "Le jeu à l'école maternelle"
OPEN_PARCOURS_TITLE = "L'oral au cycle 1 : une autoformation"
OPEN_SESSION_TITLE = "Autoformation — l'oral au cycle 1"


def _by(username: str):
    return get_user_model().objects.get(username=username)


def _with_sections(parcours: Parcours, sections: list[tuple[str, list[tuple[str, int, str]]]]):
    if parcours.sections.exists():
        return
    for position, (title, activities) in enumerate(sections, start=1):
        section = Section.objects.create(parcours=parcours, title=title, position=position)
        Activity.objects.bulk_create(
            Activity(section=section, title=name, estimated_minutes=minutes, kind=kind, position=r)
            for r, (name, minutes, kind) in enumerate(activities, start=1)
        )


def _activity_kinds(national: Parcours) -> None:
    for activity in Activity.objects.filter(section__parcours=national):
        kind = next((k for start, k in KINDS.items() if activity.title.startswith(start)), None)
        if kind and activity.kind != kind:
            activity.kind = kind
            activity.save(update_fields=["kind"])


def _normandie_copy(national: Parcours) -> Parcours:
    copy = Parcours.objects.filter(title=COPY_TITLE).first()
    if copy is None:
        designer = _by("concepteur")
        copy = services.duplicate_parcours(parcours=national, actor=designer, title=COPY_TITLE)
        last = copy.sections.order_by("-position").first()
        authoring.create_activity(
            section=last,
            actor=designer,
            title="Visite en classe : observer une séance entre pairs",
            estimated_minutes=60,
        )
    return copy


def _reunion_offer() -> None:
    reunion = Academy.objects.get(code="reunion")
    parcours, _ = Parcours.objects.get_or_create(
        title=REUNION_TITLE,
        academy=reunion,
        defaults={
            "origin": Parcours.Origin.ACADEMIC,
            "published": True,
            "distance_minutes": 180,
            "presence_minutes": 120,
        },
    )
    _with_sections(
        parcours,
        [
            ("Pourquoi jouer ?", [("Lire : le jeu et les apprentissages", 40, "resource"),
                                  ("Forum : vos coins jeux", 30, "forum")]),
            ("Jouer en classe", [("Classe virtuelle : des jeux de règles", 60, "virtual_class"),
                                 ("Bilan", 20, "questionnaire")]),
        ],
    )  # fmt: skip


def _planned_session(copy: Parcours) -> None:
    if Session.objects.filter(title=PLANNED_TITLE).exists():
        return
    today = timezone.localdate()
    running.create_session(
        actor=_by("admin-normandie"),
        parcours=copy,
        title=PLANNED_TITLE,
        circonscription="Dieppe",
        starts_on=today + timedelta(days=21),
        ends_on=today + timedelta(days=100),
        trainers=["formatrice"],
    )


def _open_session() -> None:
    parcours, _ = Parcours.objects.get_or_create(
        title=OPEN_PARCOURS_TITLE,
        origin=Parcours.Origin.NATIONAL,
        defaults={"kind": Parcours.Kind.SELF_ENROLMENT, "distance_minutes": 150},
    )
    _with_sections(
        parcours,
        [
            ("Écouter", [("Vidéo : l'oral en petite section", 30, "resource"),
                         ("Lire : les conduites discursives", 45, "resource")]),
            ("Faire parler", [("Forum : vos rituels de langage", 45, "forum"),
                              ("Quiz : vos pratiques", 15, "questionnaire")]),
        ],
    )  # fmt: skip
    today = timezone.localdate()
    Session.objects.get_or_create(
        title=OPEN_SESSION_TITLE,
        defaults={
            "parcours": parcours,
            "academy": Academy.objects.get(code="reunion"),
            "starts_on": today - timedelta(days=3),
            "ends_on": today + timedelta(days=90),
        },
    )


@transaction.atomic
def seed(session: Session) -> dict[str, str]:
    """Add the running-a-training demo around `session` (Rouen Nord); returns what each
    account finds to do, for printing."""
    national = Parcours.objects.get(title=PARCOURS_TITLE, origin=Parcours.Origin.NATIONAL)
    _activity_kinds(national)
    _reunion_offer()
    _planned_session(_normandie_copy(national))
    _open_session()
    first = Membership.objects.get(session=session, user__username="participant01")
    services.finish_training(session=session, actor=_by("formatrice"), participant_id=first.user_id)
    return {
        "participant01…participant12": "participants (participant01 a terminé : son attestation "
        "est sur la page de la session ; le quiz de positionnement attend les autres)",
        "admin-normandie": "administratrice de l'académie de Normandie : /administration/ "
        "(la session de Dieppe attend ses participants, par CSV)",
        "concepteur": "conceptrice (Normandie) : /parcours/ (la version normande à adapter, "
        "le parcours publié de La Réunion à dupliquer)",
        "enseignant-reunion": "enseignante de La Réunion : /offre/ (une autoformation à rejoindre)",
    }
