"""Reads behind the desks: an academy's sessions for its administrators, the parcours an
author may edit or copy, the open-access sessions a teacher may join, an administrator's
access grants. What each row lets the reader do is `policies`' answer, never derived here."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from . import policies
from .errors import not_found
from .models import (
    AccessGrant,
    Activity,
    HelpRequest,
    Membership,
    Parcours,
    Section,
    Session,
)
from .policies import Action, PlatformAction
from .selectors import display_name

# What a desk row offers, in the order the page shows it.
DESK_ACTIONS = [
    Action.LIST_MEMBERS,
    Action.EXPORT_MEMBERS,
    Action.MANAGE_ENROLMENTS,
    Action.MANAGE_STAFF,
    Action.EDIT_SESSION,
    Action.CLOSE_SESSION,
    Action.GRANT_ACCESS,
    Action.READ_AUDIT_LOG,
    Action.ENTER_SESSION,
]


def _with_counts(sessions: QuerySet[Session]) -> QuerySet[Session]:
    participant = Q(memberships__role=Membership.Role.PARTICIPANT)
    trainers = Membership.objects.filter(role=Membership.Role.TRAINER).select_related("user")
    return (
        sessions.select_related("parcours", "academy")
        .annotate(
            participants=Count("memberships", filter=participant),
            finished=Count(
                "memberships", filter=participant & Q(memberships__finished_on__isnull=False)
            ),
        )
        .prefetch_related(
            Prefetch("memberships", queryset=trainers, to_attr="trainer_rows"),
            Prefetch(
                "help_requests",
                queryset=HelpRequest.objects.filter(grants__isnull=True).select_related(
                    "requester"
                ),
                to_attr="open_help_requests",
            ),
        )
        .order_by("-starts_on", "id")
    )


def academy_sessions(user) -> QuerySet[Session]:
    """Sessions of the academies `user` administers, with their counts and trainers."""
    academies = policies.academies_granting(user, PlatformAction.LIST_ACADEMY_SESSIONS)
    return _with_counts(Session.objects.filter(academy_id__in=academies))


def desk_row(user, session: Session) -> dict:
    """A session of `academy_sessions` with the reader's standing and what it allows, and
    the members' help requests no grant answers yet (for those who may read them)."""
    held = policies.standings(user, session)
    actions = [
        action
        for action in DESK_ACTIONS
        if policies.decide_for_standings(held, action, session).allowed
    ]
    may_list = policies.decide_for_standings(held, Action.LIST_HELP_REQUESTS, session).allowed
    return {
        "session": session,
        "role": "/".join(sorted(held)),
        "trainers": [display_name(m.user) for m in session.trainer_rows],
        "actions": actions,
        "help_requests": session.open_help_requests if may_list else [],
    }


def authored_parcours(user) -> QuerySet[Parcours]:
    """National parcours, the author's academy's, and those others published."""
    academies = policies.academies_granting(user, PlatformAction.AUTHOR_PARCOURS)
    if not academies:
        return Parcours.objects.none()
    scope = Q(origin=Parcours.Origin.NATIONAL) | Q(academy_id__in=academies) | Q(published=True)
    return Parcours.objects.filter(scope).select_related("academy").order_by("origin", "title")


def parcours_outline(parcours_id: int) -> Parcours:
    activities = Prefetch("activities", queryset=Activity.objects.order_by("position", "id"))
    sections = Section.objects.order_by("position", "id").prefetch_related(activities)
    parcours = (
        Parcours.objects.select_related("academy")
        .prefetch_related(Prefetch("sections", queryset=sections))
        .filter(pk=parcours_id)
        .first()
    )
    if parcours is None:
        raise not_found("parcours", parcours_id)
    return parcours


def get_activity(parcours_id: int, activity_id: int) -> Activity:
    activity = (
        Activity.objects.select_related("section__parcours")
        .filter(pk=activity_id, section__parcours_id=parcours_id)
        .first()
    )
    if activity is None:
        raise not_found("activité", activity_id)
    return activity


def catalogue(user) -> list[Session]:
    """Sessions in open access that `user` may join now."""
    sessions = (
        Session.objects.filter(
            parcours__kind=Parcours.Kind.SELF_ENROLMENT,
            ends_on__gte=timezone.localdate(),
        )
        .exclude(state=Session.State.CLOSED)
        .exclude(memberships__user=user)
        .select_related("parcours", "academy")
        .order_by("starts_on", "id")
    )
    return [s for s in sessions if policies.can(user, Action.ENROL_SELF, s)]


def grants_of(user) -> QuerySet[AccessGrant]:
    return (
        AccessGrant.objects.filter(grantee=user).select_related("session").order_by("-expires_at")
    )


def parcours_for_sessions(user) -> QuerySet[Parcours]:
    """Parcours a session may be opened on by `user`: national ones and their academy's."""
    academies = policies.academies_granting(user, PlatformAction.CREATE_SESSION)
    if not academies:
        return Parcours.objects.none()
    scope = Q(origin=Parcours.Origin.NATIONAL) | Q(academy_id__in=academies)
    return Parcours.objects.filter(scope).order_by("origin", "title")
