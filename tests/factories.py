"""Users, academies, parcours, sessions and memberships in one line each."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from parcours.models import (
    Academy,
    AccessGrant,
    Activity,
    HelpRequest,
    Membership,
    Parcours,
    PlatformRole,
    Profile,
    Section,
    Session,
    Space,
    SpaceMembership,
)
from scheduling.models import ScheduledClass

PASSWORD = "preau-test-pass"
_counter = itertools.count(1)


def academy(code: str = "normandie", **fields) -> Academy:
    defaults = {"name": code.title(), "timezone": "Europe/Paris", "school_zone": "B"}
    return Academy.objects.get_or_create(code=code, defaults=defaults | fields)[0]


def user(username: str | None = None, *, academy_obj=None, school="", circo="Rouen Nord", **kw):
    username = username or f"user{next(_counter)}"
    obj = get_user_model().objects.create_user(
        username=username,
        password=PASSWORD,
        first_name=kw.pop("first_name", username.title()),
        last_name=kw.pop("last_name", "Test"),
        **kw,
    )
    Profile.objects.create(
        user=obj, academy=academy_obj or academy(), school=school, circonscription=circo
    )
    return obj


def parcours(title: str = "Parcours test", *, activities: int = 4, trainer_only: int = 1, **kw):
    obj = Parcours.objects.create(
        title=title,
        distance_minutes=kw.pop("distance_minutes", 360),
        presence_minutes=kw.pop("presence_minutes", 180),
        **kw,
    )
    section = Section.objects.create(parcours=obj, title="Section 1", position=1)
    for rank in range(activities):
        Activity.objects.create(
            section=section, title=f"Activité {rank + 1}", position=rank, estimated_minutes=30
        )
    for rank in range(trainer_only):
        Activity.objects.create(
            section=section,
            title=f"Guide formateur {rank + 1}",
            position=100 + rank,
            estimated_minutes=10,
            trainer_only=True,
        )
    return obj


def session(*, parcours_obj=None, academy_obj=None, ended: bool = False, **kw) -> Session:
    today = timezone.localdate()
    starts = today - timedelta(days=30)
    ends = today - timedelta(days=1) if ended else today + timedelta(days=30)
    return Session.objects.create(
        parcours=parcours_obj or parcours(),
        academy=academy_obj or academy(),
        title=kw.pop("title", f"Session {next(_counter)}"),
        circonscription=kw.pop("circonscription", "Rouen Nord"),
        starts_on=kw.pop("starts_on", starts),
        ends_on=kw.pop("ends_on", ends),
        **kw,
    )


def member(session_obj: Session, role: str = "participant", user_obj=None, **kw) -> Membership:
    return Membership.objects.create(session=session_obj, user=user_obj or user(**kw), role=role)


def space(*, academy_obj=None, **kw) -> Space:
    """A collaborative space of an academy (academic, on request unless told)."""
    return Space.objects.create(
        title=kw.pop("title", f"Espace {next(_counter)}"),
        academy=academy_obj or academy(),
        **kw,
    )


def space_member(space_obj: Space, role: str = "member", user_obj=None, **kw) -> SpaceMembership:
    return SpaceMembership.objects.create(space=space_obj, user=user_obj or user(**kw), role=role)


def crowd(session_obj: Session, count: int, role: str = "participant") -> list:
    """`count` new members of `session_obj` in a few queries (no profile, no usable
    password): for tests that need a crowded session, not its people's details."""
    first = next(_counter)
    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"crowd{first}-{n}", first_name=f"Membre{n}", last_name="Foule")
        for n in range(count)
    )
    Membership.objects.bulk_create(
        Membership(session=session_obj, user=u, role=role) for u in users
    )
    return users


def platform_user(role: str, *, academy_obj=None, circo: str = "", **kw):
    obj = user(**kw)
    academy_obj = None if role == PlatformRole.Role.NATIONAL else (academy_obj or academy())
    PlatformRole.objects.create(user=obj, role=role, academy=academy_obj, circonscription=circo)
    return obj


def access_grant(session_obj: Session, grantee, *, hours: int = 2) -> AccessGrant:
    return AccessGrant.objects.create(
        session=session_obj,
        grantee=grantee,
        reason="Assistance demandée par la formatrice",
        expires_at=timezone.now() + timedelta(hours=hours),
    )


def help_request(session_obj: Session, requester=None, message: str = "") -> HelpRequest:
    """A member's request for an administrator's help (its trainer's when none is named)."""
    if requester is None:
        members = session_obj.memberships.order_by("id")
        requester = (members.filter(role=Membership.Role.TRAINER).first() or members.first()).user
    return HelpRequest.objects.create(
        session=session_obj,
        requester=requester,
        message=message or "Pouvez-vous regarder le forum de la session ?",
    )


def scheduled_class(
    scope, title: str, *, starts_in: timedelta, length: timedelta = timedelta(hours=1), **kw
) -> ScheduledClass:
    """A class of `scope` (a session's or a space's) starting `starts_in` from now."""
    start = timezone.now() + starts_in
    return ScheduledClass.objects.create(
        scope=scope,
        title=title,
        starts_at=start,
        ends_at=start + length,
        timezone="Europe/Paris",
        **kw,
    )


def days_from_today(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)
