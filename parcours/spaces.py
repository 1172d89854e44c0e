"""Every write about collaborative spaces as member containers: opening one, joining,
asking to join, invitations, roles, leaving. (What members do inside a space is `collab`'s.)

A session's own space takes its members from the session: its memberships are managed
there, never here. Access changes are announced (`access_changed`) so that live sockets of
someone who left or was removed stop receiving at once.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from . import policies
from .errors import ErrorCode, ServiceError, not_found
from .models import JoinRequest, Parcours, Session, Space, SpaceMembership
from .policies import Action
from .signals import access_changed

Role = SpaceMembership.Role


def _clean(raw: str, field: str, limit: int) -> str:
    text = " ".join(raw.split())
    if not text:
        raise ServiceError(ErrorCode.INVALID, gettext("Ce champ est vide."), {"field": field})
    return text[:limit]


def _choice(value: str, choices, field: str) -> str:
    if value not in choices.values:
        raise ServiceError(
            ErrorCode.INVALID, gettext("Valeur inconnue : « %s ».") % value[:40], {"field": field}
        )
    return value


def _announce(space: Space, user_ids: list[int] | None) -> None:
    transaction.on_commit(
        lambda: access_changed.send(sender=Space, session_id=None, user_ids=user_ids)
    )


@transaction.atomic
def create_space(
    *,
    actor,
    title: str,
    academy_id: int,
    origin: str = Parcours.Origin.ACADEMIC,
    visibility: str = Space.Visibility.ON_REQUEST,
    description: str = "",
) -> Space:
    """An administrator or designer opens a space in their academy and animates it."""
    _choice(origin, Parcours.Origin, "origin")
    _choice(visibility, Space.Visibility, "visibility")
    policies.decide_create_space(actor, origin=origin, academy_id=academy_id).raise_if_denied()
    space = Space.objects.create(
        title=_clean(title, "title", 200),
        description=description.strip()[:5000],
        origin=origin,
        academy_id=academy_id,
        visibility=visibility,
    )
    SpaceMembership.objects.create(space=space, user=actor, role=Role.ANIMATOR)
    return space


@transaction.atomic
def open_session_space(*, session: Session, actor) -> Space:
    """The trainer gives the session a space of its own (idempotent): its members are the
    session's, trainers and tutors animate it."""
    policies.require(actor, Action.OPEN_SESSION_SPACE, session)
    space, _ = Space.objects.get_or_create(
        session=session,
        defaults={
            "title": session.title,
            "academy_id": session.academy_id,
            "visibility": Space.Visibility.INVITATION,
        },
    )
    return space


@transaction.atomic
def update_space(
    *,
    space: Space,
    actor,
    title: str | None = None,
    description: str | None = None,
    visibility: str | None = None,
    archived: bool | None = None,
) -> Space:
    policies.require(actor, Action.MANAGE_SPACE, space)
    if title is not None:
        space.title = _clean(title, "title", 200)
    if description is not None:
        space.description = description.strip()[:5000]
    if visibility is not None:
        space.visibility = _choice(visibility, Space.Visibility, "visibility")
    if archived is not None:
        space.archived = archived
    space.save()
    _announce(space, None)
    return space


def _own_members_only(space: Space) -> None:
    if space.session_id is not None:
        raise ServiceError(
            ErrorCode.CONFLICT,
            gettext("Les membres de cet espace sont ceux de sa session : inscrivez-les là."),
        )


@transaction.atomic
def join_space(*, space: Space, actor) -> SpaceMembership:
    policies.require(actor, Action.JOIN_SPACE, space)
    membership, _ = SpaceMembership.objects.get_or_create(space=space, user=actor)
    _announce(space, [actor.pk])
    return membership


@transaction.atomic
def request_to_join(*, space: Space, actor, message: str = "") -> JoinRequest:
    policies.require(actor, Action.REQUEST_TO_JOIN, space)
    request, _ = JoinRequest.objects.update_or_create(
        space=space, user=actor, defaults={"message": message.strip()[:500]}
    )
    return request


@transaction.atomic
def answer_request(*, space: Space, actor, request_id: int, accept: bool) -> None:
    """An animator accepts (the asker becomes a member) or declines; the request goes."""
    policies.require(actor, Action.MANAGE_ENROLMENTS, space)
    request = JoinRequest.objects.filter(pk=request_id, space=space).first()
    if request is None:
        raise not_found("demande", request_id)
    if accept:
        SpaceMembership.objects.get_or_create(space=space, user_id=request.user_id)
        _announce(space, [request.user_id])
    request.delete()


@transaction.atomic
def add_member(*, space: Space, actor, username: str, role: str = Role.MEMBER) -> SpaceMembership:
    """Invite someone by user name (how an invitation-only space gets its members)."""
    policies.require(actor, Action.MANAGE_ENROLMENTS, space)
    _own_members_only(space)
    _choice(role, Role, "role")
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise not_found("utilisateur", username[:150])
    try:
        with transaction.atomic():
            membership = SpaceMembership.objects.create(space=space, user=user, role=role)
    except IntegrityError:
        raise ServiceError(
            ErrorCode.CONFLICT, gettext("Cette personne est déjà membre."), {"field": "username"}
        ) from None
    JoinRequest.objects.filter(space=space, user=user).delete()
    _announce(space, [user.pk])
    return membership


@transaction.atomic
def set_role(*, space: Space, actor, user_id: int, role: str) -> SpaceMembership:
    policies.require(actor, Action.MANAGE_ENROLMENTS, space)
    _own_members_only(space)
    _choice(role, Role, "role")
    membership = SpaceMembership.objects.select_for_update().filter(space=space, user_id=user_id)
    found = membership.first()
    if found is None:
        raise not_found("membre", user_id)
    if found.role == Role.ANIMATOR and role != Role.ANIMATOR:
        _keep_an_animator(space, leaving=user_id)
    found.role = role
    found.save(update_fields=["role"])
    _announce(space, [user_id])
    return found


def _keep_an_animator(space: Space, *, leaving: int) -> None:
    others = SpaceMembership.objects.filter(space=space, role=Role.ANIMATOR).exclude(
        user_id=leaving
    )
    if not others.exists():
        raise ServiceError(
            ErrorCode.CONFLICT, gettext("Un espace garde au moins un animateur ou une animatrice.")
        )


@transaction.atomic
def remove_member(*, space: Space, actor, user_id: int) -> None:
    policies.require(actor, Action.MANAGE_ENROLMENTS, space)
    _own_members_only(space)
    if _is_animator(space, user_id):
        _keep_an_animator(space, leaving=user_id)
    deleted, _ = SpaceMembership.objects.filter(space=space, user_id=user_id).delete()
    if not deleted:
        raise not_found("membre", user_id)
    _announce(space, [user_id])


def _is_animator(space: Space, user_id: int) -> bool:
    return SpaceMembership.objects.filter(space=space, user_id=user_id, role=Role.ANIMATOR).exists()


@transaction.atomic
def leave_space(*, space: Space, actor) -> None:
    policies.require(actor, Action.LEAVE_SPACE, space)
    _own_members_only(space)
    if _is_animator(space, actor.pk):
        _keep_an_animator(space, leaving=actor.pk)
    SpaceMembership.objects.filter(space=space, user=actor).delete()
    _announce(space, [actor.pk])
