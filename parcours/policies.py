"""Who may do what: the one permission matrix of Préau.

Every API route, page and realtime subscription asks this module and nothing else compares
roles. A user's *standing* towards a scope (a session or a collaborative space) is a set of
`Standing` values (a trainer of one session may be an inspector elsewhere); the tables of
`parcours/grants.py` (re-exported here) say which standings may perform each action: `GRANTS`
in a session, `SPACE_GRANTS` in a space. What is not granted is denied, and the trust frame's
denials are written out there as explicitly as the grants, so that the table tests in
`tests/parcours/test_policies.py` and `tests/parcours/test_space_policies.py` read like the
platform's published rules.

Every function taking a `target` accepts a `Session`, a `Space` or the `Scope` of either:
whatever attaches to a scope asks `decide(user, action, thing.scope)`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from .errors import ErrorCode, ServiceError
from .grants import (
    CLOSED_AFTER_END_UNLESS_OPEN,
    FROZEN_AFTER_END,
    GRANTS,
    MEMBERS,
    PLATFORM_GRANTS,
    READ_AFTER_CLOSE,
    SESSION_TO_SPACE,
    SPACE_GRANTS,
    SPACE_MEMBERS,
    Action,
    PlatformAction,
    S,
    Standing,
)
from .models import (
    AccessGrant,
    Attestation,
    Membership,
    Parcours,
    PlatformRole,
    Profile,
    Scope,
    Session,
    Space,
    SpaceMembership,
)

User = AbstractBaseUser | AnonymousUser
Target = Session | Space | Scope


@dataclass(frozen=True)
class Decision:
    allowed: bool
    code: ErrorCode | None = None
    message: str = ""
    # For a grant: the session whose rules decided (None for a standalone space or no scope),
    # and the instant the answer may change by time alone (an access grant expiring, the
    # session ending): what a live socket must be asked again about, and when.
    session_id: int | None = None
    until: datetime | None = None
    # Set when only an administrator's access grant allows it: what is read with it goes to
    # that session's audit log (`parcours.audit.record_read`).
    audit_session_id: int | None = None

    def __bool__(self) -> bool:
        return self.allowed

    def raise_if_denied(self) -> None:
        if not self.allowed:
            raise ServiceError(self.code or ErrorCode.FORBIDDEN, self.message)


ALLOWED = Decision(True)


def _platform_roles(user: User) -> list[PlatformRole]:
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_preau_platform_roles", None)
    if cached is None:
        cached = list(PlatformRole.objects.filter(user=user))
        user._preau_platform_roles = cached
    return cached


def owner_of(target: Target) -> Session | Space:
    """The session or space a target stands for."""
    return target.owner if isinstance(target, Scope) else target


def standings(user: User, target: Target) -> frozenset[Standing]:
    """Every standing `user` holds towards a session or space (OUTSIDER when none)."""
    if not user.is_authenticated:
        return frozenset({S.OUTSIDER})
    owner = owner_of(target)
    if isinstance(owner, Space):
        return _space_standings(user, owner)
    return _session_standings(user, owner)


def _session_standings(user: User, session: Session) -> frozenset[Standing]:
    found: set[Standing] = set()
    role = (
        Membership.objects.filter(session=session, user=user).values_list("role", flat=True).first()
    )
    if role is not None:
        found.add(Standing(role))
    for grant in _platform_roles(user):
        if grant.role == PlatformRole.Role.NATIONAL:
            found.add(S.NATIONAL)
        elif grant.academy_id != session.academy_id:
            continue
        elif grant.role == PlatformRole.Role.ADMIN:
            found.add(S.ADMIN_GRANTED if _has_active_grant(user, session) else S.ADMIN)
        elif grant.role == PlatformRole.Role.DESIGNER:
            found.add(S.DESIGNER)
        elif (
            grant.role == PlatformRole.Role.INSPECTOR
            and session.circonscription
            and grant.circonscription == session.circonscription
        ):
            found.add(S.INSPECTOR)
    return frozenset(found) or frozenset({S.OUTSIDER})


def _space_standings(user: User, space: Space) -> frozenset[Standing]:
    if space.session_id is not None:
        held = _session_standings(user, space.session)
        return frozenset(SESSION_TO_SPACE.get(standing, standing) for standing in held)
    found: set[Standing] = set()
    role = (
        SpaceMembership.objects.filter(space=space, user=user)
        .values_list("role", flat=True)
        .first()
    )
    if role is not None:
        found.add(Standing(role))
    for grant in _platform_roles(user):
        if grant.role == PlatformRole.Role.NATIONAL:
            found.add(S.NATIONAL)
        elif grant.academy_id == space.academy_id and grant.role == PlatformRole.Role.ADMIN:
            found.add(S.ADMIN)
        elif grant.academy_id == space.academy_id and grant.role == PlatformRole.Role.DESIGNER:
            found.add(S.DESIGNER)
    if role is None and space.visibility != Space.Visibility.INVITATION and _may_join(user, space):
        found.add(S.NEWCOMER)
    return frozenset(found) or frozenset({S.OUTSIDER})


def _may_join(user: User, space: Space) -> bool:
    """National spaces are open to every teacher, academic ones to their academy's."""
    if space.origin == Parcours.Origin.NATIONAL:
        return True
    return Profile.objects.filter(user=user, academy_id=space.academy_id).exists()


def _has_active_grant(user: User, session: Session) -> bool:
    return AccessGrant.objects.filter(
        session=session, grantee=user, expires_at__gt=timezone.now()
    ).exists()


def decide(user: User, action: Action, target: Target) -> Decision:
    if not user.is_authenticated:
        return Decision(False, ErrorCode.FORBIDDEN, gettext("Connectez-vous d'abord."))
    held = standings(user, target)
    decision = decide_for_standings(held, action, target)
    if not decision:
        return decision
    owner = owner_of(target)
    session = owner if isinstance(owner, Session) else owner.session
    if session is None:
        return decision
    return replace(decision, session_id=session.pk, until=_lapses_at(user, held, session))


def _lapses_at(user: User, held: frozenset[Standing], session: Session) -> datetime | None:
    """When a grant in `session` may lapse by time alone: the administrator's access grant
    expires, or the session ends (its tools freeze, its content may close)."""
    instants = []
    if not session.has_ended():
        last_day = datetime.combine(session.ends_on + timedelta(days=1), time.min)
        instants.append(timezone.make_aware(last_day))
    if S.ADMIN_GRANTED in held:
        expiry = (
            AccessGrant.objects.filter(session=session, grantee=user, expires_at__gt=timezone.now())
            .order_by("-expires_at")
            .values_list("expires_at", flat=True)
            .first()
        )
        if expiry is not None:
            instants.append(expiry)
    return min(instants, default=None)


def allowed_actions(user: User, target: Target) -> frozenset[Action]:
    """Every action `user` may take in a session or space, their standing read once."""
    held = standings(user, target)
    return frozenset(
        action for action in Action if decide_for_standings(held, action, target).allowed
    )


def grants_of(target: Target) -> dict[Action, frozenset[Standing]]:
    """The grant table that applies: a session's or a space's."""
    return SPACE_GRANTS if isinstance(owner_of(target), Space) else GRANTS


def decide_for_standings(held: frozenset[Standing], action: Action, target: Target) -> Decision:
    """`decide` for a caller that already holds the user's standings (one read per request)."""
    owner = owner_of(target)
    space = owner if isinstance(owner, Space) else None
    if not held & grants_of(owner)[action]:
        return Decision(False, ErrorCode.FORBIDDEN, _denial_message(action, held, owner))
    if (
        action is Action.ENROL_SELF
        and isinstance(owner, Session)
        and owner.parcours.kind != Parcours.Kind.SELF_ENROLMENT
    ):
        return Decision(
            False,
            ErrorCode.FORBIDDEN,
            gettext("Ce parcours n'est pas en inscription libre : un formateur vous inscrit."),
        )
    if owner.has_ended():
        if action in FROZEN_AFTER_END:
            return Decision(False, ErrorCode.FROZEN, _frozen_message(owner))
        if (
            action in CLOSED_AFTER_END_UNLESS_OPEN
            and not owner.content_open_after_end
            and not held & READ_AFTER_CLOSE
        ):
            return Decision(
                False,
                ErrorCode.FROZEN,
                gettext("La session est terminée et ses formateurs ont fermé l'accès au contenu."),
            )
    decision = _decide_joining(action, space) if space is not None else ALLOWED
    if decision.allowed and held & grants_of(owner)[action] == {S.ADMIN_GRANTED}:
        session_id = owner.session_id if space is not None else owner.pk
        return replace(decision, audit_session_id=session_id)
    return decision


def _decide_joining(action: Action, space: Space) -> Decision:
    """An open space is joined at once; an on-request one is asked to join."""
    if action == Action.JOIN_SPACE and space.visibility != Space.Visibility.OPEN:
        return Decision(
            False, ErrorCode.FORBIDDEN, gettext("Cet espace s'ouvre sur demande à ses animateurs.")
        )
    if action == Action.REQUEST_TO_JOIN and space.visibility != Space.Visibility.ON_REQUEST:
        return Decision(
            False, ErrorCode.FORBIDDEN, gettext("Cet espace est ouvert : rejoignez-le directement.")
        )
    return ALLOWED


def _frozen_message(owner: Session | Space) -> str:
    if isinstance(owner, Space) and owner.session_id is None:
        return gettext("L'espace est archivé : ses outils sont en lecture seule.")
    return gettext("La session est terminée : ses outils sont en lecture seule.")


def _denial_message(action: Action, held: frozenset[Standing], owner: Session | Space) -> str:
    granted = grants_of(owner)[action]
    if S.ADMIN in held and S.ADMIN_GRANTED in granted and isinstance(owner, Session):
        return gettext(
            "Un administrateur n'entre dans une session qu'avec un accès accordé et motivé."
        )
    in_space = isinstance(owner, Space)
    if held == {S.OUTSIDER}:
        if in_space:
            return gettext("Vous ne faites pas partie de cet espace.")
        return gettext("Vous ne faites pas partie de cette session.")
    if in_space:
        return gettext("Votre rôle dans cet espace ne permet pas cette action.")
    return gettext("Votre rôle dans cette session ne permet pas cette action.")


def can(user: User, action: Action, target: Target) -> bool:
    return decide(user, action, target).allowed


def require(user: User, action: Action, target: Target) -> Decision:
    """`decide`, raising the denial; returns the decision (to audit a read under a grant)."""
    decision = decide(user, action, target)
    decision.raise_if_denied()
    return decision


def is_member(user: User, target: Target) -> bool:
    return bool(standings(user, target) & (MEMBERS | SPACE_MEMBERS))


def member_ids_granted(action: Action, target: Target) -> set[int]:
    """Ids of the members whose role grants `action` now (for fan-outs)."""
    return set(members_granted(action, target))


def members_granted(action: Action, target: Target) -> QuerySet:
    """`member_ids_granted` as a query of user ids, to filter another query with (one round
    trip where a set would take two)."""
    owner = owner_of(target)
    if owner.has_ended() and action in FROZEN_AFTER_END:
        return Membership.objects.none().values_list("user_id", flat=True)
    granted = grants_of(owner)[action]
    if (
        owner.has_ended()
        and action in CLOSED_AFTER_END_UNLESS_OPEN
        and not owner.content_open_after_end
    ):
        granted &= READ_AFTER_CLOSE
    if isinstance(owner, Space) and owner.session_id is None:
        roles = [standing.value for standing in granted & SPACE_MEMBERS]
        members = SpaceMembership.objects.filter(space=owner, role__in=roles)
    elif isinstance(owner, Space):
        roles = [role for role, mapped in SESSION_TO_SPACE.items() if mapped in granted]
        members = Membership.objects.filter(session_id=owner.session_id, role__in=roles)
    else:
        roles = [standing.value for standing in granted & MEMBERS]
        members = Membership.objects.filter(session=owner, role__in=roles)
    return members.values_list("user_id", flat=True)


def user_ids_granted(action: Action, target: Target) -> set[int]:
    """`member_ids_granted`, plus the administrators inside the session by an active access
    grant when the action is open to them (for fan-outs of what such a visitor may read)."""
    found = member_ids_granted(action, target)
    owner = owner_of(target)
    session = owner.session if isinstance(owner, Space) else owner
    if (
        session is not None
        and S.ADMIN_GRANTED in grants_of(owner)[action]
        and not (owner.has_ended() and action in FROZEN_AFTER_END)
    ):
        found |= set(
            AccessGrant.objects.filter(
                session=session,
                expires_at__gt=timezone.now(),
                grantee__platform_roles__role=PlatformRole.Role.ADMIN,
                grantee__platform_roles__academy_id=session.academy_id,
            ).values_list("grantee_id", flat=True)
        )
    return found


def member_ids(target: Target) -> set[int]:
    """Ids of every member of a session or space, whatever their role."""
    owner = owner_of(target)
    if isinstance(owner, Space) and owner.session_id is None:
        members = SpaceMembership.objects.filter(space=owner)
    else:
        session_id = owner.session_id if isinstance(owner, Space) else owner.pk
        members = Membership.objects.filter(session_id=session_id)
    return set(members.values_list("user_id", flat=True))


def message_reach(sender: User, session: Session) -> tuple[set[int], bool]:
    """Whom `sender` may write to in `session` (none when they may not write there), and
    whether several of them at once (the trainers' and tutors' messaging)."""
    if not can(sender, Action.CONTACT_MEMBERS, session):
        return set(), False
    return _other_members(sender, session), can(
        sender, Action.MESSAGE_PARTICIPANTS_IN_BULK, session
    )


def _other_members(sender: User, session: Session) -> set[int]:
    # One query for the whole session: a trainer may write to every participant at once.
    roles = [s.value for s in MEMBERS]
    found = Membership.objects.filter(session=session, role__in=roles)
    return set(found.values_list("user_id", flat=True)) - {sender.pk}


def decide_direct_message(sender: User, session: Session, recipients: list) -> Decision:
    """Members write to members of a session they share; writing to several people at once
    is the trainers' and tutors' messaging."""
    several = len(recipients) > 1
    decision = decide(
        sender,
        Action.MESSAGE_PARTICIPANTS_IN_BULK if several else Action.CONTACT_MEMBERS,
        session,
    )
    if not decision:
        return decision
    if not {r.pk for r in recipients} <= _other_members(sender, session):
        return Decision(
            False,
            ErrorCode.FORBIDDEN,
            gettext("Chaque destinataire doit être un autre membre de la session."),
        )
    return ALLOWED


def enters_by_grant(user: User, session: Session) -> bool:
    """True for an administrator inside a session through an access grant (audit-logged)."""
    held = standings(user, session)
    return S.ADMIN_GRANTED in held and not held & MEMBERS


def decide_platform(user: User, action: PlatformAction) -> Decision:
    roles = {grant.role for grant in _platform_roles(user)}
    if roles & PLATFORM_GRANTS[action]:
        return ALLOWED
    return Decision(
        False, ErrorCode.FORBIDDEN, gettext("Votre rôle sur la plateforme ne le permet pas.")
    )


def require_platform(user: User, action: PlatformAction) -> None:
    decide_platform(user, action).raise_if_denied()


def inspected_circonscriptions(user: User) -> list[tuple[int | None, str]]:
    """(academy id, circonscription) pairs an inspector may list sessions of."""
    return [
        (grant.academy_id, grant.circonscription)
        for grant in _platform_roles(user)
        if grant.role == PlatformRole.Role.INSPECTOR and grant.circonscription
    ]


def stats_academy_scope(user: User) -> list[int] | None:
    """Academies whose statistics `user` may read: None means all (national)."""
    roles = _platform_roles(user)
    if any(grant.role == PlatformRole.Role.NATIONAL for grant in roles):
        return None
    return [grant.academy_id for grant in roles if grant.role == PlatformRole.Role.ADMIN]


def decide_duplicate_parcours(user: User, parcours: Parcours) -> Decision:
    """Designers and admins copy national parcours, their own academy's, and those another
    academy published in the inter-academic offer (the platform's framework: an academy
    shares a parcours by publishing it; an unpublished one stays its own)."""
    decision = decide_platform(user, PlatformAction.DUPLICATE_PARCOURS)
    if not decision:
        return decision
    if parcours.origin == Parcours.Origin.NATIONAL or parcours.published:
        return ALLOWED
    if parcours.academy_id in academies_granting(user, PlatformAction.DUPLICATE_PARCOURS):
        return ALLOWED
    return Decision(
        False,
        ErrorCode.FORBIDDEN,
        gettext("Ce parcours d'une autre académie n'est pas publié dans l'offre de parcours."),
    )


def copy_target_academy(user: User) -> int | None:
    """The academy a designer's or admin's copies belong to."""
    for grant in _platform_roles(user):
        if grant.role in PLATFORM_GRANTS[PlatformAction.DUPLICATE_PARCOURS]:
            return grant.academy_id
    return None


def decide_create_space(user: User, *, origin: str, academy_id: int) -> Decision:
    """Administrators and designers open spaces in the academy of their role; a national
    space is one their academy hosts for everyone."""
    decision = decide_platform(user, PlatformAction.CREATE_SPACE)
    if not decision:
        return decision
    academies = {
        grant.academy_id
        for grant in _platform_roles(user)
        if grant.role in PLATFORM_GRANTS[PlatformAction.CREATE_SPACE]
    }
    if academy_id in academies and origin in Parcours.Origin.values:
        return ALLOWED
    return Decision(
        False, ErrorCode.FORBIDDEN, gettext("Vous n'ouvrez d'espaces que dans votre académie.")
    )


def decide_download_attestation(user: User, attestation: Attestation) -> Decision:
    """The person it names, the session's trainers and the academy's admins."""
    if user.is_authenticated and attestation.membership.user_id == user.pk:
        return ALLOWED
    return decide(user, Action.DOWNLOAD_ANY_ATTESTATION, attestation.membership.session)


# --- Platform actions on one academy's things: parcours, sessions, accounts ---------------


def academies_granting(user: User, action: PlatformAction) -> list[int]:
    """Academies where `user` holds a role that grants `action` (lists, default academy)."""
    return sorted(
        {
            grant.academy_id
            for grant in _platform_roles(user)
            if grant.role in PLATFORM_GRANTS[action] and grant.academy_id is not None
        }
    )


def decide_in_academy(user: User, action: PlatformAction, academy_id: int | None) -> Decision:
    """A platform role counts in its own academy only: an administrator of Normandie
    creates nothing in La Réunion."""
    if academy_id is not None and academy_id in academies_granting(user, action):
        return ALLOWED
    if decide_platform(user, action):
        return Decision(
            False, ErrorCode.FORBIDDEN, gettext("Votre rôle ne vaut que dans votre académie.")
        )
    return Decision(
        False, ErrorCode.FORBIDDEN, gettext("Votre rôle sur la plateforme ne le permet pas.")
    )


def platform_actions(user: User) -> frozenset[PlatformAction]:
    """Every platform action some role of `user` grants (the navigation's desks)."""
    return frozenset(action for action in PlatformAction if decide_platform(user, action))


def decide_author_parcours(user: User, parcours: Parcours) -> Decision:
    """Designers and admins adapt their academy's parcours; a national parcours is the
    ministry's and is copied, never edited."""
    if parcours.origin == Parcours.Origin.NATIONAL:
        return Decision(
            False,
            ErrorCode.FORBIDDEN,
            gettext("Un parcours national ne se modifie pas : dupliquez-le pour l'adapter."),
        )
    return decide_in_academy(user, PlatformAction.AUTHOR_PARCOURS, parcours.academy_id)


def decide_view_parcours(user: User, parcours: Parcours) -> Decision:
    """An author reads a parcours they may edit or copy, nothing else."""
    if decide_author_parcours(user, parcours):
        return ALLOWED
    return decide_duplicate_parcours(user, parcours)


def decide_create_session(user: User, parcours: Parcours, academy_id: int | None) -> Decision:
    """An academy's administrators open sessions of national parcours or of their own."""
    decision = decide_in_academy(user, PlatformAction.CREATE_SESSION, academy_id)
    if not decision:
        return decision
    if parcours.origin == Parcours.Origin.NATIONAL or parcours.academy_id == academy_id:
        return ALLOWED
    return Decision(
        False,
        ErrorCode.FORBIDDEN,
        gettext("Ce parcours appartient à une autre académie : dupliquez-le d'abord."),
    )


def decide_enrol(user: User, session: Session, role: str) -> Decision:
    """Enrolling a participant is managing enrolments; naming a trainer or a tutor is
    managing the session's staff."""
    if role == Membership.Role.PARTICIPANT:
        return decide(user, Action.MANAGE_ENROLMENTS, session)
    return decide(user, Action.MANAGE_STAFF, session)


def decide_poll_ballots(user: User, target: Target, *, nominative: bool) -> Decision:
    """Who answered what in a poll. An anonymous poll shows counts only, to its trainers as
    to its members; a nominative one (said at creation, told to those who answer) shows
    each person's answers and comment to those who read the session."""
    if not nominative:
        return Decision(
            False,
            ErrorCode.FORBIDDEN,
            gettext("Sondage anonyme : seuls les nombres de réponses sont visibles."),
        )
    return decide(user, Action.VIEW_POLL_BALLOTS, target)


def decide_answers(user: User, session: Session, *, nominative: bool) -> Decision:
    """Who answered what. Questionnaires are anonymous unless created nominative: then no
    one, trainer or administrator, may link an answer to a person (trust frame)."""
    if not nominative:
        return Decision(
            False,
            ErrorCode.FORBIDDEN,
            gettext("Questionnaire anonyme : seuls les résultats du groupe sont visibles."),
        )
    return decide(user, Action.VIEW_NOMINATIVE_ANSWERS, session)
