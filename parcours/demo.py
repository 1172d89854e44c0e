"""Demo data for the embedded default: two academies, one parcours, two sessions.

Idempotent: running it twice changes nothing. Every account's password is `preau-demo`.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .models import Academy, Activity, Membership, Parcours, PlatformRole, Profile, Section, Session

DEMO_PASSWORD = "preau-demo"
CIRCONSCRIPTION = "Rouen Nord"
PARCOURS_TITLE = "Enseigner la compréhension en lecture"

SECTIONS = [
    (
        "Comprendre ce qu'est comprendre",
        [
            ("Lire : les composantes de la compréhension", 45, False),
            ("Vidéo : une séance au CE1", 30, False),
            ("Quiz de positionnement", 20, False),
        ],
    ),
    (
        "Enseigner des stratégies",
        [
            ("Forum : vos pratiques de questionnement", 60, False),
            ("Classe virtuelle : les stratégies explicites", 60, False),
            ("Guide d'animation (formateurs)", 15, True),
        ],
    ),
    (
        "Mettre en œuvre en classe",
        [
            ("Espace collaboratif : une séquence commune", 90, False),
            ("Retour d'expérience et bilan", 40, False),
        ],
    ),
]

SCHOOLS = [
    "École élémentaire Jules-Ferry, Rouen",
    "École primaire Louise-Michel, Mont-Saint-Aignan",
    "École élémentaire Pasteur, Bois-Guillaume",
    "École primaire Les Tilleuls, Déville-lès-Rouen",
]


def _user(
    username: str,
    first: str,
    last: str,
    *,
    academy,
    school: str = "",
    circo: str = "",
    role_form: str = Profile.RoleForm.NEUTRAL,
):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    Profile.objects.update_or_create(
        user=user,
        defaults={
            "academy": academy,
            "school": school,
            "circonscription": circo,
            "role_form": role_form,
        },
    )
    return user


@dataclass(frozen=True)
class DemoWorld:
    accounts: dict[str, str]  # username -> description, for printing
    session: Session  # the session of the demo accounts


@transaction.atomic
def seed() -> DemoWorld:
    """Create the demo academies, parcours, sessions and accounts."""
    normandie, _ = Academy.objects.update_or_create(
        code="normandie",
        defaults={
            "name": "Normandie",
            "timezone": "Europe/Paris",
            "school_zone": "B",
            "holiday_subdivision": "",
        },
    )
    reunion, _ = Academy.objects.update_or_create(
        code="reunion",
        defaults={
            "name": "La Réunion",
            "timezone": "Indian/Reunion",
            "school_zone": "Réunion",
            "holiday_subdivision": "RE",
        },
    )
    parcours, _ = Parcours.objects.get_or_create(
        title=PARCOURS_TITLE,
        origin=Parcours.Origin.NATIONAL,
        defaults={"kind": Parcours.Kind.TUTORED, "distance_minutes": 360, "presence_minutes": 180},
    )
    if not parcours.sections.exists():
        for position, (title, activities) in enumerate(SECTIONS, start=1):
            section = Section.objects.create(parcours=parcours, title=title, position=position)
            for rank, (name, minutes, trainer_only) in enumerate(activities, start=1):
                Activity.objects.create(
                    section=section,
                    title=name,
                    position=rank,
                    estimated_minutes=minutes,
                    trainer_only=trainer_only,
                )

    today = timezone.localdate()
    session, _ = Session.objects.get_or_create(
        parcours=parcours,
        academy=normandie,
        title="Compréhension en lecture — Rouen Nord",
        defaults={
            "circonscription": CIRCONSCRIPTION,
            "starts_on": today - timedelta(days=14),
            "ends_on": today + timedelta(days=60),
        },
    )
    other, _ = Session.objects.get_or_create(
        parcours=parcours,
        academy=normandie,
        title="Compréhension en lecture — Le Havre",
        defaults={
            "circonscription": "Le Havre Centre",
            "starts_on": today - timedelta(days=7),
            "ends_on": today + timedelta(days=70),
        },
    )

    accounts: dict[str, str] = {}
    formatrice = _user(
        "formatrice",
        "Claire",
        "Martin",
        academy=normandie,
        circo=CIRCONSCRIPTION,
        role_form="feminine",
    )
    tuteur = _user(
        "tuteur", "Hugo", "Bernard", academy=normandie, circo=CIRCONSCRIPTION, role_form="masculine"
    )
    Membership.objects.get_or_create(
        session=session, user=formatrice, defaults={"role": Membership.Role.TRAINER}
    )
    Membership.objects.get_or_create(
        session=session, user=tuteur, defaults={"role": Membership.Role.TUTOR}
    )
    Membership.objects.get_or_create(
        session=other, user=formatrice, defaults={"role": Membership.Role.TRAINER}
    )
    accounts["formatrice"] = "formatrice de la session Rouen Nord"
    accounts["tuteur"] = "tuteur de la session Rouen Nord"
    for n in range(1, 13):
        username = f"participant{n:02d}"
        user = _user(
            username,
            f"Enseignant·e {n:02d}",
            "Démo",
            academy=normandie,
            school=SCHOOLS[n % len(SCHOOLS)],
            circo=CIRCONSCRIPTION,
        )
        Membership.objects.get_or_create(
            session=session, user=user, defaults={"role": Membership.Role.PARTICIPANT}
        )
        if n >= 11:  # participant01 is not in the second session
            Membership.objects.get_or_create(
                session=other, user=user, defaults={"role": Membership.Role.PARTICIPANT}
            )
    accounts["participant01…participant12"] = "participants (participant11 et 12 aussi au Havre)"

    inspecteur = _user(
        "inspecteur",
        "Paul",
        "Leroy",
        academy=normandie,
        circo=CIRCONSCRIPTION,
        role_form="masculine",
    )
    PlatformRole.objects.get_or_create(
        user=inspecteur,
        role=PlatformRole.Role.INSPECTOR,
        academy=normandie,
        circonscription=CIRCONSCRIPTION,
    )
    accounts["inspecteur"] = "inspecteur de la circonscription Rouen Nord"
    admin = _user("admin-normandie", "Sophie", "Durand", academy=normandie, role_form="feminine")
    PlatformRole.objects.get_or_create(
        user=admin, role=PlatformRole.Role.ADMIN, academy=normandie, circonscription=""
    )
    accounts["admin-normandie"] = "administratrice de l'académie de Normandie"
    concepteur = _user("concepteur", "Inès", "Petit", academy=normandie, role_form="feminine")
    PlatformRole.objects.get_or_create(
        user=concepteur, role=PlatformRole.Role.DESIGNER, academy=normandie, circonscription=""
    )
    accounts["concepteur"] = "conceptrice de parcours (Normandie)"
    national = _user("national", "Marc", "Robert", academy=None)
    PlatformRole.objects.get_or_create(
        user=national, role=PlatformRole.Role.NATIONAL, academy=None, circonscription=""
    )
    accounts["national"] = "statistiques nationales"
    _user(
        "enseignant-reunion",
        "Nadia",
        "Payet",
        academy=reunion,
        school="École primaire Les Flamboyants, Saint-Denis",
    )
    accounts["enseignant-reunion"] = "enseignante de La Réunion, sans session"
    return DemoWorld(accounts=accounts, session=session)
