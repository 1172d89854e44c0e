"""Who may do what: the one permission matrix of Préau.

Every API route, page and realtime subscription asks this module and nothing else compares
roles. A user's *standing* towards a session is a set of `Standing` values (a trainer of one
session may be an inspector elsewhere); `GRANTS` says which standings may perform each
action. What is not granted is denied, and the trust frame's denials are written out below
as explicitly as the grants, so that the table test in `tests/parcours/test_policies.py`
reads like the platform's published rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext

from .errors import ErrorCode, ServiceError
from .models import AccessGrant, Attestation, Membership, Parcours, PlatformRole, Session

User = AbstractBaseUser | AnonymousUser


class Standing(StrEnum):
    """How a user stands towards one session."""

    PARTICIPANT = "participant"
    TUTOR = "tutor"
    TRAINER = "trainer"
    INSPECTOR = "inspector"  # inspector of the session's circonscription
    ADMIN = "admin"  # administrator of the session's academy, without an access grant
    ADMIN_GRANTED = "admin_granted"  # the same, holding an active access grant
    DESIGNER = "designer"
    NATIONAL = "national"
    OUTSIDER = "outsider"


class Action(StrEnum):
    # Seeing that a session exists: title, dates, trainers' names.
    VIEW_SESSION_SUMMARY = "session.view_summary"
    # Entering it: its activities, contributions and tools.
    ENTER_SESSION = "session.enter"
    LIST_MEMBERS = "session.list_members"
    EXPORT_MEMBERS = "session.export_members"
    MANAGE_ENROLMENTS = "session.manage_enrolments"
    LIST_ENROLLED_TEACHERS = "session.list_enrolled_teachers"
    VIEW_ACTIVITIES = "session.view_activities"
    VIEW_TRAINER_ONLY_CONTENT = "session.view_trainer_only_content"
    VIEW_OWN_PROGRESS = "progress.view_own"
    VIEW_ALL_PROGRESS = "progress.view_all"
    COMPLETE_ACTIVITY = "progress.complete_activity"
    FINISH_TRAINING = "progress.finish_training"
    DOWNLOAD_ANY_ATTESTATION = "attestation.download_any"
    SET_CONTENT_OPEN = "session.set_content_open"
    READ_CONTRIBUTIONS = "contribution.read"
    READ_TRAINER_ONLY_CONTRIBUTIONS = "contribution.read_trainer_only"
    CONTRIBUTE = "contribution.create"
    REACT = "contribution.react"
    MODERATE = "contribution.moderate"
    # Favourites and subscriptions: personal follow-ups, kept after the end.
    FOLLOW = "contribution.follow"
    # Forums: the forum rules that depend on the role.
    MANAGE_FORUMS = "forum.manage"
    START_NEWS_DISCUSSION = "forum.start_news_discussion"
    READ_QA_WITHOUT_ANSWERING = "forum.read_qa_without_answering"
    # Pin, lock, move, split, and edit someone else's post.
    ARRANGE_DISCUSSIONS = "forum.arrange_discussions"
    READ_MODERATION_LOG = "forum.read_moderation_log"
    CONTACT_MEMBERS = "message.contact_members"
    MESSAGE_PARTICIPANTS_IN_BULK = "message.bulk"
    SCHEDULE_CLASS = "schedule.class"
    VOTE = "schedule.vote"
    # A poll's detailed answers while its results are hidden, and their CSV export.
    VIEW_POLL_RESULTS = "schedule.view_results"
    # Recordings of virtual classes (recordings/): list and play them; start and stop
    # recording a live class; rename, delete and set their retention period.
    WATCH_RECORDINGS = "recording.watch"
    RECORD_CLASS = "recording.record"
    MANAGE_RECORDINGS = "recording.manage"
    # Virtual classrooms: the room's own state (locked, waiting room, chat or cameras
    # locked, someone removed) is checked by the room service on top of these.
    CLASSROOM_JOIN = "classroom.join"
    # Chat, raise a hand, react, answer a quick poll.
    CLASSROOM_PARTICIPATE = "classroom.participate"
    # Presenter, mute, cameras, removal, waiting room, quick polls, breakouts, agenda.
    CLASSROOM_MODERATE = "classroom.moderate"
    # Create an ad-hoc room, open the lobby, start and end the class.
    CLASSROOM_MANAGE = "classroom.manage"
    GRANT_ACCESS = "admin.grant_access"
    READ_AUDIT_LOG = "admin.read_audit_log"
    # Running a session: its title and dates, closing it, who teaches in it, joining it.
    EDIT_SESSION = "session.edit"
    CLOSE_SESSION = "session.close"
    MANAGE_STAFF = "session.manage_staff"
    # A teacher joins a session of a parcours in open access on their own.
    ENROL_SELF = "session.enrol_self"
    # Questionnaires: anonymous by default, trainers see group results only.
    MANAGE_QUESTIONNAIRES = "questionnaire.manage"
    ANSWER_QUESTIONNAIRE = "questionnaire.answer"
    VIEW_QUESTIONNAIRE_RESULTS = "questionnaire.view_results"
    # Who answered what: only for a questionnaire created nominative (`decide_answers`).
    VIEW_NOMINATIVE_ANSWERS = "questionnaire.view_nominative_answers"
    # Never recorded, so never shown to anyone (trust frame).
    VIEW_TIME_SPENT = "tracking.view_time_spent"
    VIEW_CONNECTION_TIMES = "tracking.view_connection_times"
    VIEW_PAGES_VIEWED = "tracking.view_pages_viewed"


class PlatformAction(StrEnum):
    """Actions that concern no single session."""

    VIEW_STATS = "platform.view_stats"
    DUPLICATE_PARCOURS = "platform.duplicate_parcours"
    LIST_INSPECTED_SESSIONS = "platform.list_inspected_sessions"
    EXPORT_NOMINATIVE_DATA = "platform.export_nominative_data"
    # Academy-scoped (`decide_in_academy`): the role must be held in the academy concerned.
    AUTHOR_PARCOURS = "platform.author_parcours"
    CREATE_SESSION = "platform.create_session"
    CREATE_ACCOUNT = "platform.create_account"
    LIST_ACADEMY_SESSIONS = "platform.list_academy_sessions"


S = Standing
MEMBERS = frozenset({S.PARTICIPANT, S.TUTOR, S.TRAINER})
STAFF = frozenset({S.TUTOR, S.TRAINER})
NOT_MEMBERS = frozenset(Standing) - MEMBERS

GRANTS: dict[Action, frozenset[Standing]] = {
    Action.VIEW_SESSION_SUMMARY: MEMBERS | {S.INSPECTOR, S.ADMIN, S.ADMIN_GRANTED},
    Action.ENTER_SESSION: MEMBERS | {S.ADMIN_GRANTED},
    # Participant lists are the one nominative export an administrator may make.
    Action.LIST_MEMBERS: MEMBERS | {S.ADMIN, S.ADMIN_GRANTED},
    Action.EXPORT_MEMBERS: frozenset({S.TRAINER, S.ADMIN, S.ADMIN_GRANTED}),
    Action.MANAGE_ENROLMENTS: frozenset({S.TRAINER, S.ADMIN, S.ADMIN_GRANTED}),
    # Names and schools of the teachers enrolled or finished, nothing more.
    Action.LIST_ENROLLED_TEACHERS: frozenset({S.INSPECTOR}),
    Action.VIEW_ACTIVITIES: MEMBERS | {S.ADMIN_GRANTED},
    Action.VIEW_TRAINER_ONLY_CONTENT: STAFF | {S.ADMIN_GRANTED},
    Action.VIEW_OWN_PROGRESS: frozenset({S.PARTICIPANT}),
    Action.VIEW_ALL_PROGRESS: STAFF,
    Action.COMPLETE_ACTIVITY: frozenset({S.PARTICIPANT}),
    Action.FINISH_TRAINING: STAFF,
    Action.DOWNLOAD_ANY_ATTESTATION: frozenset({S.TRAINER, S.ADMIN, S.ADMIN_GRANTED}),
    Action.SET_CONTENT_OPEN: STAFF,
    Action.READ_CONTRIBUTIONS: MEMBERS | {S.ADMIN_GRANTED},
    Action.READ_TRAINER_ONLY_CONTRIBUTIONS: STAFF | {S.ADMIN_GRANTED},
    Action.CONTRIBUTE: MEMBERS,
    Action.REACT: MEMBERS,
    Action.MODERATE: STAFF,
    Action.FOLLOW: MEMBERS,
    Action.MANAGE_FORUMS: frozenset({S.TRAINER}),
    # News forums: only trainers start discussions.
    Action.START_NEWS_DISCUSSION: frozenset({S.TRAINER}),
    # Q&A forums: a participant sees others' answers only after posting their own.
    Action.READ_QA_WITHOUT_ANSWERING: STAFF | {S.ADMIN_GRANTED},
    Action.ARRANGE_DISCUSSIONS: STAFF,
    Action.READ_MODERATION_LOG: STAFF,
    Action.CONTACT_MEMBERS: MEMBERS,
    Action.MESSAGE_PARTICIPANTS_IN_BULK: STAFF,
    Action.SCHEDULE_CLASS: STAFF,
    Action.VOTE: MEMBERS,
    Action.VIEW_POLL_RESULTS: STAFF,
    # Recordings are for the members of the session only (participants, tutors, trainers):
    # never inspectors, never administrators even with an access grant, never outsiders.
    Action.WATCH_RECORDINGS: MEMBERS,
    Action.RECORD_CLASS: STAFF,
    # Renaming, deleting and the retention period are the trainers' choice.
    Action.MANAGE_RECORDINGS: frozenset({S.TRAINER}),
    # A live class is for the session's members only: no access grant opens it, and an
    # inspector never enters it (trust frame).
    Action.CLASSROOM_JOIN: MEMBERS,
    Action.CLASSROOM_PARTICIPATE: MEMBERS,
    Action.CLASSROOM_MODERATE: STAFF,
    Action.CLASSROOM_MANAGE: STAFF,
    Action.GRANT_ACCESS: frozenset({S.ADMIN, S.ADMIN_GRANTED}),
    Action.READ_AUDIT_LOG: frozenset({S.TRAINER, S.ADMIN, S.ADMIN_GRANTED}),
    Action.VIEW_TIME_SPENT: frozenset(),
    Action.VIEW_CONNECTION_TIMES: frozenset(),
    Action.VIEW_PAGES_VIEWED: frozenset(),
    # Dates and closing: the session's trainers and its academy's administrators, who
    # manage it without entering it (no grant needed: nothing of its content is shown).
    Action.EDIT_SESSION: frozenset({S.TRAINER, S.ADMIN, S.ADMIN_GRANTED}),
    Action.CLOSE_SESSION: frozenset({S.TRAINER, S.ADMIN, S.ADMIN_GRANTED}),
    # Trainers enrol participants; who trains and tutors is the administrators' choice.
    Action.MANAGE_STAFF: frozenset({S.ADMIN, S.ADMIN_GRANTED}),
    # Anyone not yet in it, and only in open access (`_context_denial`).
    Action.ENROL_SELF: NOT_MEMBERS,
    Action.MANAGE_QUESTIONNAIRES: frozenset({S.TRAINER}),
    Action.ANSWER_QUESTIONNAIRE: frozenset({S.PARTICIPANT}),
    # Group results (counts, texts without names): the session's trainers and tutors. An
    # administrator's grant does not open them, an inspector never sees them.
    Action.VIEW_QUESTIONNAIRE_RESULTS: STAFF,
    Action.VIEW_NOMINATIVE_ANSWERS: STAFF,
}

PLATFORM_GRANTS: dict[PlatformAction, frozenset[str]] = {
    PlatformAction.VIEW_STATS: frozenset({PlatformRole.Role.NATIONAL, PlatformRole.Role.ADMIN}),
    PlatformAction.DUPLICATE_PARCOURS: frozenset(
        {PlatformRole.Role.DESIGNER, PlatformRole.Role.ADMIN}
    ),
    PlatformAction.LIST_INSPECTED_SESSIONS: frozenset({PlatformRole.Role.INSPECTOR}),
    # Beyond participant lists and attestations, no one exports nominative data.
    PlatformAction.EXPORT_NOMINATIVE_DATA: frozenset(),
    PlatformAction.AUTHOR_PARCOURS: frozenset(
        {PlatformRole.Role.DESIGNER, PlatformRole.Role.ADMIN}
    ),
    # Sessions and accounts are the academy's administrators' (gestionnaires') work.
    PlatformAction.CREATE_SESSION: frozenset({PlatformRole.Role.ADMIN}),
    PlatformAction.CREATE_ACCOUNT: frozenset({PlatformRole.Role.ADMIN}),
    PlatformAction.LIST_ACADEMY_SESSIONS: frozenset({PlatformRole.Role.ADMIN}),
}

# After a session ends, its forums, polls and other social tools are read-only.
FROZEN_AFTER_END = frozenset(
    {
        Action.CONTRIBUTE,
        Action.REACT,
        Action.VOTE,
        Action.COMPLETE_ACTIVITY,
        Action.SCHEDULE_CLASS,
        Action.CONTACT_MEMBERS,
        Action.MESSAGE_PARTICIPANTS_IN_BULK,
        Action.MANAGE_FORUMS,
        Action.START_NEWS_DISCUSSION,
        Action.ARRANGE_DISCUSSIONS,
        Action.ENROL_SELF,
        Action.MANAGE_QUESTIONNAIRES,
        Action.ANSWER_QUESTIONNAIRE,
        Action.RECORD_CLASS,
        Action.CLASSROOM_JOIN,
        Action.CLASSROOM_PARTICIPATE,
        Action.CLASSROOM_MODERATE,
        Action.CLASSROOM_MANAGE,
    }
)
# Reading that stops after the end for participants unless the trainer keeps content open.
CLOSED_AFTER_END_UNLESS_OPEN = frozenset(
    {
        Action.ENTER_SESSION,
        Action.VIEW_ACTIVITIES,
        Action.READ_CONTRIBUTIONS,
        Action.WATCH_RECORDINGS,
    }
)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    code: ErrorCode | None = None
    message: str = ""

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


def standings(user: User, session: Session) -> frozenset[Standing]:
    """Every standing `user` holds towards `session` (OUTSIDER when none)."""
    if not user.is_authenticated:
        return frozenset({S.OUTSIDER})
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


def _has_active_grant(user: User, session: Session) -> bool:
    return AccessGrant.objects.filter(
        session=session, grantee=user, expires_at__gt=timezone.now()
    ).exists()


def decide(user: User, action: Action, session: Session) -> Decision:
    if not user.is_authenticated:
        return Decision(False, ErrorCode.FORBIDDEN, gettext("Connectez-vous d'abord."))
    return decide_for_standings(standings(user, session), action, session)


def allowed_actions(user: User, session: Session) -> frozenset[Action]:
    """Every action `user` may take in `session`, their standing read once (for pages)."""
    held = standings(user, session)
    return frozenset(
        action for action in Action if decide_for_standings(held, action, session).allowed
    )


def decide_for_standings(held: frozenset[Standing], action: Action, session: Session) -> Decision:
    """`decide` for a caller that already holds the user's standings (one read per request)."""
    if not held & GRANTS[action]:
        return Decision(False, ErrorCode.FORBIDDEN, _denial_message(action, held))
    if action is Action.ENROL_SELF and session.parcours.kind != Parcours.Kind.SELF_ENROLMENT:
        return Decision(
            False,
            ErrorCode.FORBIDDEN,
            gettext("Ce parcours n'est pas en inscription libre : un formateur vous inscrit."),
        )
    if session.has_ended():
        if action in FROZEN_AFTER_END:
            return Decision(
                False,
                ErrorCode.FROZEN,
                gettext("La session est terminée : ses outils sont en lecture seule."),
            )
        if (
            action in CLOSED_AFTER_END_UNLESS_OPEN
            and not session.content_open_after_end
            and not held & (STAFF | {S.ADMIN_GRANTED})
        ):
            return Decision(
                False,
                ErrorCode.FROZEN,
                gettext("La session est terminée et ses formateurs ont fermé l'accès au contenu."),
            )
    return ALLOWED


def _denial_message(action: Action, held: frozenset[Standing]) -> str:
    if S.ADMIN in held and action in GRANTS and S.ADMIN_GRANTED in GRANTS[action]:
        return gettext(
            "Un administrateur n'entre dans une session qu'avec un accès accordé et motivé."
        )
    if held == {S.OUTSIDER}:
        return gettext("Vous ne faites pas partie de cette session.")
    return gettext("Votre rôle dans cette session ne permet pas cette action.")


def can(user: User, action: Action, session: Session) -> bool:
    return decide(user, action, session).allowed


def require(user: User, action: Action, session: Session) -> None:
    decide(user, action, session).raise_if_denied()


def is_member(user: User, session: Session) -> bool:
    return bool(standings(user, session) & MEMBERS)


def member_ids_granted(action: Action, session: Session) -> set[int]:
    """Ids of the session's members whose role grants `action` now (for fan-outs)."""
    if session.has_ended() and action in FROZEN_AFTER_END:
        return set()
    roles = [standing.value for standing in GRANTS[action] & MEMBERS]
    members = Membership.objects.filter(session=session, role__in=roles)
    if (
        session.has_ended()
        and action in CLOSED_AFTER_END_UNLESS_OPEN
        and not session.content_open_after_end
    ):
        members = members.filter(role__in=[s.value for s in STAFF])
    return set(members.values_list("user_id", flat=True))


def user_ids_granted(action: Action, session: Session) -> set[int]:
    """`member_ids_granted`, plus the administrators inside the session by an active access
    grant when the action is open to them (for fan-outs of what such a visitor may read)."""
    found = member_ids_granted(action, session)
    if S.ADMIN_GRANTED in GRANTS[action] and not (
        session.has_ended() and action in FROZEN_AFTER_END
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
    wanted = {r.pk for r in recipients}
    members = Membership.objects.filter(
        session=session, user_id__in=wanted, role__in=[s.value for s in MEMBERS]
    )
    # One query for the whole list: a trainer may write to every participant at once.
    if sender.pk in wanted or members.values("user_id").distinct().count() != len(wanted):
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
