"""Reads of the core domain that need more than one line of ORM."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from . import activity_links, policies
from .errors import not_found
from .models import (
    AccessGrant,
    Activity,
    ActivityCompletion,
    ApiToken,
    Attestation,
    AuditEntry,
    HelpRequest,
    JoinRequest,
    Membership,
    Parcours,
    Scope,
    Section,
    Session,
    Space,
)

User = get_user_model()

# Statistics never show a count this small: it could name someone.
SMALL_COUNT_THRESHOLD = 5


def get_session(session_id: int) -> Session:
    session = Session.objects.select_related("parcours", "academy").filter(pk=session_id).first()
    if session is None:
        raise not_found("session", session_id)
    return session


def get_space(space_id: int) -> Space:
    space = Space.objects.select_related("academy", "session").filter(pk=space_id).first()
    if space is None:
        raise not_found("espace", space_id)
    return space


def scope_joins(path: str = "") -> list[str]:
    """What `select_related` needs for the policies to decide on `<path>scope` with no
    further query: its session or space, their academies, a space's own session."""
    return [
        f"{path}scope__session__academy",
        f"{path}scope__session__parcours",
        f"{path}scope__space__academy",
        f"{path}scope__space__session",
    ]


def visible_spaces(user) -> list[Space]:
    """The spaces `user` is in, and those they may see and join or ask to join (an
    invitation-only space is seen by its members only)."""
    candidates = (
        Space.objects.select_related("academy", "session")
        .filter(
            Q(memberships__user=user)
            | Q(session__memberships__user=user)
            | ~Q(visibility=Space.Visibility.INVITATION, session__isnull=True)
        )
        .distinct()
    )
    return [s for s in candidates if policies.can(user, policies.Action.VIEW_SESSION_SUMMARY, s)]


def has_asked(user, space: Space) -> bool:
    return space.join_requests.filter(user=user).exists()


def join_requests(space: Space) -> list[JoinRequest]:
    """The requests waiting for the space's animators, oldest first."""
    return list(space.join_requests.select_related("user").order_by("id"))


def get_session_scope(session_id: int) -> Scope:
    """The scope of a session, with the session the policies read."""
    scope = (
        Scope.objects.select_related("session__academy", "session__parcours")
        .filter(session_id=session_id)
        .first()
    )
    if scope is None:
        raise not_found("session", session_id)
    return scope


def get_space_scope(space_id: int) -> Scope:
    """The scope of a space, with the space (and its session, if any) the policies read."""
    scope = (
        Scope.objects.select_related("space__academy", "space__session")
        .filter(space_id=space_id)
        .first()
    )
    if scope is None:
        raise not_found("espace", space_id)
    return scope


def get_parcours(parcours_id: int) -> Parcours:
    parcours = Parcours.objects.filter(pk=parcours_id).first()
    if parcours is None:
        raise not_found("parcours", parcours_id)
    return parcours


def get_section(parcours_id: int, section_id: int) -> Section:
    section = (
        Section.objects.select_related("parcours")
        .filter(pk=section_id, parcours_id=parcours_id)
        .first()
    )
    if section is None:
        raise not_found("section", section_id)
    return section


def own_attestation(session: Session, user) -> Attestation | None:
    return Attestation.objects.filter(membership__session=session, membership__user=user).first()


def get_attestation(attestation_id: int) -> Attestation:
    attestation = (
        Attestation.objects.select_related(
            "membership__user__profile",
            "membership__session__parcours",
            "membership__session__academy",
        )
        .filter(pk=attestation_id)
        .first()
    )
    if attestation is None:
        raise not_found("attestation", attestation_id)
    return attestation


def memberships_of(user) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("session__parcours", "session__academy", "user__profile")
        .order_by("-session__starts_on", "session_id")
    )


def inspected_sessions(user) -> QuerySet[Session]:
    pairs = policies.inspected_circonscriptions(user)
    if not pairs:
        return Session.objects.none()
    scope = Q()
    for academy_id, circonscription in pairs:
        scope |= Q(academy_id=academy_id, circonscription=circonscription)
    return Session.objects.filter(scope).select_related("parcours", "academy").order_by("starts_on")


def trainer_names(session: Session) -> list[str]:
    trainers = Membership.objects.filter(
        session=session, role=Membership.Role.TRAINER
    ).select_related("user")
    return [display_name(m.user) for m in trainers]


def display_name(user) -> str:
    return user.get_full_name() or user.get_username()


def members(
    session: Session,
    *,
    role: str | None = None,
    finished: bool | None = None,
    school: str | None = None,
) -> QuerySet[Membership]:
    qs = Membership.objects.filter(session=session).select_related("user__profile")
    if role:
        qs = qs.filter(role=role)
    if finished is not None:
        qs = qs.filter(finished_on__isnull=not finished)
    if school:
        qs = qs.filter(user__profile__school__icontains=school)
    return qs.order_by("role", "user__last_name", "user__username")


def enrolled_teachers(session: Session, circonscription: str) -> QuerySet[Membership]:
    """Participants of the inspector's circonscription: only names and schools are shown."""
    return members(session, role=Membership.Role.PARTICIPANT).filter(
        user__profile__circonscription=circonscription
    )


@dataclass(frozen=True)
class ProgressRow:
    membership: Membership
    completed: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0

    @property
    def last_visit(self) -> date | None:
        profile = getattr(self.membership.user, "profile", None)
        return profile.last_visit if profile else None


def _participant_activities(session: Session) -> QuerySet[Activity]:
    return Activity.objects.filter(section__parcours=session.parcours_id, trainer_only=False)


def progress(session: Session, *, only_user=None) -> list[ProgressRow]:
    """Progress bars: completed share of the activities meant for participants."""
    total = _participant_activities(session).count()
    qs = members(session, role=Membership.Role.PARTICIPANT).select_related("attestation")
    qs = qs.annotate(
        completed=Count("completions", filter=Q(completions__activity__trainer_only=False))
    )
    if only_user is not None:
        qs = qs.filter(user=only_user)
    return [ProgressRow(m, m.completed, total) for m in qs]


def outline(session: Session, *, user, include_trainer_only: bool) -> list[dict]:
    """Sections and activities of the session's parcours, with the user's completions."""
    done = set(
        ActivityCompletion.objects.filter(
            membership__session=session, membership__user=user
        ).values_list("activity_id", flat=True)
    )
    sections = list(
        Section.objects.filter(parcours=session.parcours_id).prefetch_related("activities")
    )
    links = activity_links.links(session, (a for s in sections for a in s.activities.all()))
    return [
        {
            "id": section.id,
            "title": section.title,
            "activities": [
                {
                    "id": activity.id,
                    "title": activity.title,
                    "kind": activity.kind,
                    "url": links.get(activity.id),
                    "estimated_minutes": activity.estimated_minutes,
                    "trainer_only": activity.trainer_only,
                    "completed": activity.id in done,
                }
                for activity in section.activities.all()
                if include_trainer_only or not activity.trainer_only
            ],
        }
        for section in sections
    ]


def audit_log(session: Session) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(session=session).select_related("actor")


def help_requests(session: Session) -> QuerySet[HelpRequest]:
    """The session's help requests, newest first, each marked `granted` once answered."""
    return (
        HelpRequest.objects.filter(session=session)
        .select_related("requester")
        .annotate(granted=Exists(AccessGrant.objects.filter(help_request=OuterRef("pk"))))
    )


def help_request_row(request: HelpRequest) -> dict:
    return {
        "id": request.pk,
        "session_id": request.session_id,
        "requester": display_name(request.requester),
        "message": request.message,
        "created_at": request.created_at,
        "granted": getattr(request, "granted", False),
    }


def statistics(academy_ids: list[int] | None) -> list[dict]:
    """Non-nominative counts per academy and parcours, small counts suppressed."""
    sessions = Session.objects.all()
    if academy_ids is not None:
        sessions = sessions.filter(academy_id__in=academy_ids)
    participant = Q(memberships__role=Membership.Role.PARTICIPANT)
    rows = (
        sessions.values("academy__code", "academy__name", "parcours_id", "parcours__title")
        .annotate(
            sessions=Count("id", distinct=True),
            enrolments=Count("memberships", filter=participant),
            finished=Count(
                "memberships", filter=participant & Q(memberships__finished_on__isnull=False)
            ),
        )
        .order_by("academy__code", "parcours__title")
    )
    return [
        {
            "academy": row["academy__code"],
            "academy_name": row["academy__name"],
            "parcours_id": row["parcours_id"],
            "parcours": row["parcours__title"],
            "sessions": row["sessions"],
            "enrolments": suppress_small(row["enrolments"]),
            "finished": suppress_small(row["finished"]),
        }
        for row in rows
    ]


def suppress_small(count: int) -> int | None:
    """None stands for a count between 1 and 4, hidden so that nobody can be singled out."""
    return None if 0 < count < SMALL_COUNT_THRESHOLD else count


def api_tokens_of(user) -> QuerySet[ApiToken]:
    """A person's live tokens, the latest to expire first; never their keys (not stored)."""
    return ApiToken.objects.filter(user=user, expires_at__gt=timezone.now())
