"""Every write of the core domain, and the rules that go with it."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from . import audit, policies, signals, throttle
from .errors import ErrorCode, ServiceError, not_found
from .models import (
    AccessGrant,
    Activity,
    ActivityCompletion,
    ApiToken,
    Attestation,
    AuditEntry,
    HelpRequest,
    Membership,
    Parcours,
    Profile,
    Section,
    Session,
    password_stamp,
)
from .policies import Action
from .signals import access_changed

MAX_GRANT_DURATION = timedelta(days=30)

logger = logging.getLogger(__name__)


def record_visit(*, user) -> None:
    """Write today's date as the user's last visit, at most once a day per user.

    The cache only spares the database a write; when it cannot be reached the write is
    made anyway (it changes nothing when the date is already today's).
    """
    today = timezone.localdate()
    try:
        if not cache.add(f"last-visit:{user.pk}:{today.isoformat()}", 1, timeout=86_400):
            return
    except Exception:
        logger.warning("last visit: the cache is unreachable, writing the date directly")
    updated = Profile.objects.filter(user=user).exclude(last_visit=today).update(last_visit=today)
    if not updated and not Profile.objects.filter(user=user).exists():
        Profile.objects.create(user=user, last_visit=today)


def log_in(*, username: str, password: str, address: str, request=None):
    """The active user these credentials name, for the login page and the API alike.

    Counted against the login limits (`throttle`): past them, even the right password is
    refused until the window ends, so that guessing is slow whatever is guessed.
    """
    throttle.check_login(username, address)
    user = authenticate(request, username=username, password=password)
    if user is None:
        throttle.login_failed(username, address)
        raise ServiceError(
            ErrorCode.UNAUTHENTICATED,
            gettext("Identifiant ou mot de passe incorrect."),
            {"field": "password"},
        )
    throttle.login_succeeded(username)
    return user


@transaction.atomic
def issue_api_token(
    *, username: str, password: str, address: str, name: str = ""
) -> tuple[str, ApiToken]:
    """A new token (its key, shown once, and its row). Logging in again under the same name
    replaces that name's token, and a person keeps at most `API_TOKENS_PER_USER`: the
    oldest go, so that scripts logging in on every run do not pile rows up."""
    user = log_in(username=username, password=password, address=address)
    name = " ".join(name.split())
    mine = ApiToken.objects.filter(user=user)
    mine.filter(expires_at__lte=timezone.now()).delete()
    if name:
        mine.filter(name=name).delete()
    kept = list(mine.values_list("pk", flat=True)[: max(settings.API_TOKENS_PER_USER - 1, 0)])
    mine.exclude(pk__in=kept).delete()
    key = ApiToken.issue(user, name=name)
    return key, ApiToken.objects.get(key_hash=ApiToken.hash_key(key))


def api_token(key: str) -> ApiToken | None:
    """The live token `key` names; a dead one (expired, issued under another password, of a
    deactivated account) is deleted on sight."""
    token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(key)).first()
    if token is None:
        return None
    if not token.is_alive():
        token.delete()
        return None
    return token


def user_for_api_token(key: str):
    token = api_token(key)
    return token.user if token else None


def revoke_api_token(*, actor, token_id: int) -> None:
    """Owners revoke their own tokens; anyone else's is not found."""
    deleted, _ = ApiToken.objects.filter(pk=token_id, user=actor).delete()
    if not deleted:
        raise not_found("jeton", token_id)


def forget_dead_tokens(*, user) -> None:
    """A deactivated account's tokens, and those issued under a password since changed."""
    tokens = ApiToken.objects.filter(user=user)
    if user.is_active:
        tokens = tokens.exclude(password_stamp=password_stamp(user))
    tokens.delete()


def _membership(session: Session, user) -> Membership:
    membership = Membership.objects.filter(session=session, user=user).first()
    if membership is None:
        raise not_found("membre", getattr(user, "pk", user))
    return membership


def _session_activity(session: Session, activity_id: int) -> Activity:
    activity = Activity.objects.filter(
        pk=activity_id, section__parcours=session.parcours_id
    ).first()
    if activity is None:
        raise not_found("activité", activity_id)
    return activity


def complete_activity(*, session: Session, user, activity_id: int) -> None:
    policies.require(user, Action.COMPLETE_ACTIVITY, session)
    activity = _session_activity(session, activity_id)
    if activity.trainer_only:
        raise not_found("activité", activity_id)
    ActivityCompletion.objects.get_or_create(
        membership=_membership(session, user), activity=activity
    )
    _progress_changed(session, user)


def undo_completion(*, session: Session, user, activity_id: int) -> None:
    policies.require(user, Action.COMPLETE_ACTIVITY, session)
    activity = _session_activity(session, activity_id)
    ActivityCompletion.objects.filter(
        membership=_membership(session, user), activity=activity
    ).delete()
    _progress_changed(session, user)


def _progress_changed(session: Session, user) -> None:
    transaction.on_commit(
        lambda: signals.progress_changed.send(sender=Session, session=session, user_id=user.pk)
    )


@transaction.atomic
def finish_training(*, session: Session, actor, participant_id: int) -> Attestation:
    """Mark a participant's training finished and issue their attestation (idempotent)."""
    policies.require(actor, Action.FINISH_TRAINING, session)
    membership = (
        Membership.objects.select_for_update()
        .filter(session=session, user_id=participant_id, role=Membership.Role.PARTICIPANT)
        .first()
    )
    if membership is None:
        raise not_found("participant", participant_id)
    today = timezone.localdate()
    if membership.finished_on is None:
        membership.finished_on = today
        membership.save(update_fields=["finished_on"])
    attestation, _ = Attestation.objects.get_or_create(
        membership=membership, defaults={"issued_on": today}
    )
    return attestation


def _announce_access_change(session: Session, user_ids: list[int] | None) -> None:
    transaction.on_commit(
        lambda: access_changed.send(sender=Session, session_id=session.pk, user_ids=user_ids)
    )


@transaction.atomic
def remove_member(*, session: Session, actor, user_id: int) -> None:
    """Withdraw someone from a session; their live subscriptions stop at once."""
    policies.require(actor, Action.MANAGE_ENROLMENTS, session)
    membership = Membership.objects.filter(session=session, user_id=user_id).first()
    if membership is None:
        raise not_found("membre", user_id)
    # Withdrawing a trainer or a tutor is naming the staff: the administrators' choice.
    policies.decide_enrol(actor, session, membership.role).raise_if_denied()
    membership.delete()
    _announce_access_change(session, [user_id])


@transaction.atomic
def set_content_open_after_end(*, session: Session, actor, open_after_end: bool) -> Session:
    policies.require(actor, Action.SET_CONTENT_OPEN, session)
    session.content_open_after_end = open_after_end
    session.save(update_fields=["content_open_after_end"])
    _announce_access_change(session, None)
    return session


def _copy_section(section: Section, *, into: Parcours, position: int) -> Section:
    copy = Section.objects.create(parcours=into, title=section.title, position=position)
    Activity.objects.bulk_create(
        Activity(
            section=copy,
            title=activity.title,
            position=activity.position,
            estimated_minutes=activity.estimated_minutes,
            trainer_only=activity.trainer_only,
        )
        for activity in section.activities.all()
    )
    return copy


@transaction.atomic
def duplicate_parcours(*, parcours: Parcours, actor, title: str | None = None) -> Parcours:
    """An academic copy, linked to its original, in the actor's academy."""
    policies.decide_duplicate_parcours(actor, parcours).raise_if_denied()
    copy = Parcours.objects.create(
        title=title or f"{parcours.title} (copie)",
        kind=parcours.kind,
        origin=Parcours.Origin.ACADEMIC,
        academy_id=policies.copy_target_academy(actor),
        distance_minutes=parcours.distance_minutes,
        presence_minutes=parcours.presence_minutes,
        duplicated_from=parcours,
    )
    for section in parcours.sections.prefetch_related("activities"):
        _copy_section(section, into=copy, position=section.position)
    return copy


@transaction.atomic
def duplicate_section(*, section: Section, actor) -> Section:
    """A copy of the section placed last in its own parcours."""
    policies.decide_duplicate_parcours(actor, section.parcours).raise_if_denied()
    if section.parcours.origin == Parcours.Origin.NATIONAL:
        raise ServiceError(
            ErrorCode.FORBIDDEN,
            gettext("Un parcours national ne se modifie pas : dupliquez le parcours entier."),
        )
    last = section.parcours.sections.order_by("-position").values_list("position", flat=True)
    return _copy_section(section, into=section.parcours, position=(last.first() or 0) + 1)


@transaction.atomic
def request_help(*, session: Session, actor, message: str) -> HelpRequest:
    """A member asks the academy's administrators to come into the session; logged."""
    policies.require(actor, Action.REQUEST_HELP, session)
    message = message.strip()
    if len(message) < 10:
        raise ServiceError(
            ErrorCode.INVALID,
            gettext("Décrivez votre demande en 10 caractères au moins."),
            {"field": "message"},
        )
    request = HelpRequest.objects.create(session=session, requester=actor, message=message)
    AuditEntry.objects.create(
        session=session,
        actor=actor,
        action=AuditEntry.Action.HELP_REQUESTED,
        reason=message,
        help_request=request,
    )
    return request


@transaction.atomic
def grant_access(
    *,
    session: Session,
    actor,
    reason: str,
    expires_at: datetime,
    help_request_id: int | None = None,
) -> AccessGrant:
    """An administrator's access to the session, opened against a member's help request."""
    policies.require(actor, Action.GRANT_ACCESS, session)
    help_request = _help_request(session, help_request_id)
    reason = reason.strip()
    if len(reason) < 10:
        raise ServiceError(
            ErrorCode.INVALID,
            gettext("Un accès se motive : donnez une raison d'au moins 10 caractères."),
            {"field": "reason"},
        )
    now = timezone.now()
    if not now < expires_at <= now + MAX_GRANT_DURATION:
        raise ServiceError(
            ErrorCode.INVALID,
            gettext("L'expiration doit être dans le futur et à 30 jours au plus."),
            {"field": "expires_at"},
        )
    grant = AccessGrant.objects.create(
        session=session,
        grantee=actor,
        reason=reason,
        expires_at=expires_at,
        help_request=help_request,
    )
    AuditEntry.objects.create(
        session=session,
        actor=actor,
        action=AuditEntry.Action.GRANT_CREATED,
        reason=reason,
        grant=grant,
        help_request=help_request,
    )
    return grant


def _help_request(session: Session, help_request_id: int | None) -> HelpRequest:
    if help_request_id is None:
        raise ServiceError(
            ErrorCode.INVALID,
            gettext(
                "Un administrateur entre à la demande d'un membre de la session : "
                "choisissez la demande d'aide à laquelle vous répondez."
            ),
            {"field": "help_request_id"},
        )
    found = HelpRequest.objects.filter(pk=help_request_id, session=session).first()
    if found is None:
        raise not_found("demande d'aide", help_request_id)
    return found


def record_entry(*, session: Session, user) -> None:
    """Log an administrator's entry into a session they hold a grant for, once a day."""
    audit.record_read(
        actor=user,
        decision=policies.decide(user, Action.ENTER_SESSION, session),
        kind="session",
        object_id=session.pk,
        action=AuditEntry.Action.ENTERED,
    )


def record_members_export(*, session: Session, actor) -> None:
    policies.require(actor, Action.EXPORT_MEMBERS, session)
    if not policies.is_member(actor, session):
        AuditEntry.objects.create(
            session=session, actor=actor, action=AuditEntry.Action.MEMBERS_EXPORTED
        )
