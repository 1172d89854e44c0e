"""Running a session: creating it on a parcours, editing its dates, closing it, and who is
in it (enrolled one by one, by an administrator or a trainer, or on their own in open
access). Bulk enrolment by CSV lives in `imports.py`; new accounts in `accounts.py`."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from . import policies
from .errors import ErrorCode, ServiceError
from .models import Membership, Parcours, Session
from .policies import Action, PlatformAction
from .signals import access_changed, session_created

SESSION_FIELDS = ("title", "circonscription", "starts_on", "ends_on")


def invalid(field: str, message: str) -> ServiceError:
    return ServiceError(ErrorCode.INVALID, message, {"field": field})


def find_account(identifier: str, *, field: str = "username"):
    """The active account named by its username or, failing that, its e-mail address.

    An unknown or ambiguous identifier is an error naming the field: enrolment asks for an
    exact identifier, so that nobody can browse the platform's directory through it.
    """
    identifier = identifier.strip()
    users = get_user_model().objects.filter(is_active=True)
    user = users.filter(username=identifier).first()
    if user is None and "@" in identifier:
        matches = list(users.filter(email__iexact=identifier)[:2])
        user = matches[0] if len(matches) == 1 else None
    if user is None:
        raise ServiceError(
            ErrorCode.NOT_FOUND,
            gettext("Aucun compte « %(id)s » : créez-le d'abord.") % {"id": identifier},
            {"field": field, "resource": "compte"},
        )
    return user


def _state_for(starts_on: date) -> str:
    return Session.State.PLANNED if starts_on > timezone.localdate() else Session.State.OPEN


def _check_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise invalid("ends_on", gettext("La session ne peut pas finir avant de commencer."))


def _clean_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise invalid("title", gettext("Le titre ne peut pas être vide."))
    return title


def _default_academy(actor, academy_id: int | None) -> int | None:
    academies = policies.academies_granting(actor, PlatformAction.CREATE_SESSION)
    if academy_id is None and len(academies) == 1:
        return academies[0]
    return academy_id


@transaction.atomic
def create_session(
    *,
    actor,
    parcours: Parcours,
    title: str,
    starts_on: date,
    ends_on: date,
    circonscription: str = "",
    academy_id: int | None = None,
    trainers: list[str] = (),
    tutors: list[str] = (),
) -> Session:
    """A session of `parcours` in the actor's academy, with its trainers and tutors named
    by identifier. Apps then give its activities their tools (`session_created`)."""
    academy_id = _default_academy(actor, academy_id)
    policies.decide_create_session(actor, parcours, academy_id).raise_if_denied()
    _check_dates(starts_on, ends_on)
    session = Session.objects.create(
        parcours=parcours,
        academy_id=academy_id,
        title=_clean_title(title),
        circonscription=circonscription.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        state=_state_for(starts_on),
    )
    staff = [(name, Membership.Role.TRAINER, "trainers") for name in trainers]
    staff += [(name, Membership.Role.TUTOR, "tutors") for name in tutors]
    for index, (name, role, field) in enumerate(staff):
        user = find_account(name, field=f"{field}.{index}")
        Membership.objects.update_or_create(session=session, user=user, defaults={"role": role})
    session_created.send(sender=Session, session=session)
    return session


@transaction.atomic
def update_session(*, session: Session, actor, **changes) -> Session:
    """Title, circonscription and dates; a closed session stays as it was closed."""
    policies.require(actor, Action.EDIT_SESSION, session)
    if session.state == Session.State.CLOSED:
        raise ServiceError(ErrorCode.FROZEN, gettext("Une session close ne se modifie plus."))
    fields = [name for name in SESSION_FIELDS if changes.get(name) is not None]
    for name in fields:
        value = changes[name]
        if name == "title":
            value = _clean_title(value)
        elif name == "circonscription":
            value = value.strip()
        setattr(session, name, value)
    _check_dates(session.starts_on, session.ends_on)
    session.state = _state_for(session.starts_on)
    session.save(update_fields=[*fields, "state"])
    _announce(session, None)
    return session


@transaction.atomic
def close_session(*, session: Session, actor) -> Session:
    """Close by hand: its social tools freeze at once, as at the end date (idempotent)."""
    policies.require(actor, Action.CLOSE_SESSION, session)
    if session.state != Session.State.CLOSED:
        session.state = Session.State.CLOSED
        session.save(update_fields=["state"])
        _announce(session, None)
    return session


def _announce(session: Session, user_ids: list[int] | None) -> None:
    transaction.on_commit(
        lambda: access_changed.send(sender=Session, session_id=session.pk, user_ids=user_ids)
    )


def _add(session: Session, user, role: str) -> Membership:
    if Membership.objects.filter(session=session, user=user).exists():
        raise ServiceError(
            ErrorCode.CONFLICT,
            gettext("%(name)s fait déjà partie de cette session.")
            % {"name": user.get_full_name() or user.get_username()},
            {"field": "username"},
        )
    try:
        with transaction.atomic():
            return Membership.objects.create(session=session, user=user, role=role)
    except IntegrityError:  # enrolled at the same moment by someone else
        raise ServiceError(
            ErrorCode.CONFLICT, gettext("Déjà inscrit dans cette session."), {"field": "username"}
        ) from None


@transaction.atomic
def enrol(*, session: Session, actor, identifier: str, role: str) -> Membership:
    """Enrol one person by identifier or e-mail: a participant (trainers and administrators)
    or a trainer or tutor (administrators)."""
    policies.decide_enrol(actor, session, role).raise_if_denied()
    return _add(session, find_account(identifier), role)


@transaction.atomic
def enrol_self(*, session: Session, user) -> Membership:
    """A teacher joins a session of a parcours in open access, as a participant."""
    policies.require(user, Action.ENROL_SELF, session)
    return _add(session, user, Membership.Role.PARTICIPANT)
