"""The tables of `parcours.policies`: who may do what, by standing, in a session or a space.

Read with `policies.py`, which computes a user's standings and applies these tables (and is
what every app imports: it re-exports these names). Kept apart only so that each file stays
readable on its own; no other module reads them to decide anything.
"""

from __future__ import annotations

from enum import StrEnum

from .models import PlatformRole


class Standing(StrEnum):
    """How a user stands towards one session or space."""

    PARTICIPANT = "participant"
    TUTOR = "tutor"
    TRAINER = "trainer"
    ANIMATOR = "animator"  # leads a space (a session's trainers and tutors lead its space)
    MEMBER = "member"  # takes part in a space (a session's participants in its space)
    NEWCOMER = "newcomer"  # may see an open or on-request space and join or ask to
    INSPECTOR = "inspector"  # inspector of the session's circonscription
    ADMIN = "admin"  # administrator of the academy, without an access grant
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
    # Who answered what in a poll created nominative (`policies.decide_poll_ballots`): an
    # anonymous poll shows counts only, to everyone.
    VIEW_POLL_BALLOTS = "schedule.view_ballots"
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
    # Administrators visit "at the request of those concerned": a member asks for help, an
    # administrator reads the requests and opens an access grant against one.
    REQUEST_HELP = "admin.request_help"
    LIST_HELP_REQUESTS = "admin.list_help_requests"
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
    # A trainer opens the session's own collaborative space.
    OPEN_SESSION_SPACE = "session.open_space"
    # Collaborative spaces.
    JOIN_SPACE = "space.join"
    REQUEST_TO_JOIN = "space.request_to_join"
    LEAVE_SPACE = "space.leave"
    MANAGE_SPACE = "space.manage"
    # Ask a word-cloud question, run a mind map, hide a word, reserve a document.
    LEAD_ACTIVITIES = "collab.lead_activities"
    # Write in a document its animators reserved to themselves.
    EDIT_RESERVED = "collab.edit_reserved"


class PlatformAction(StrEnum):
    """Actions that concern no single session."""

    VIEW_STATS = "platform.view_stats"
    DUPLICATE_PARCOURS = "platform.duplicate_parcours"
    LIST_INSPECTED_SESSIONS = "platform.list_inspected_sessions"
    CREATE_SPACE = "platform.create_space"
    EXPORT_NOMINATIVE_DATA = "platform.export_nominative_data"
    # Academy-scoped (`decide_in_academy`): the role must be held in the academy concerned.
    AUTHOR_PARCOURS = "platform.author_parcours"
    CREATE_SESSION = "platform.create_session"
    CREATE_ACCOUNT = "platform.create_account"
    LIST_ACADEMY_SESSIONS = "platform.list_academy_sessions"


S = Standing
MEMBERS = frozenset({S.PARTICIPANT, S.TUTOR, S.TRAINER})
STAFF = frozenset({S.TUTOR, S.TRAINER})
# Standings towards a session of someone not in it (a space's standings never apply there).
NOT_MEMBERS = frozenset(Standing) - MEMBERS - {S.ANIMATOR, S.MEMBER, S.NEWCOMER}

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
    # A nominative poll's table (Framadate's): its members, like its answers, were told so.
    Action.VIEW_POLL_BALLOTS: MEMBERS | {S.ADMIN_GRANTED},
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
    Action.REQUEST_HELP: MEMBERS,
    Action.LIST_HELP_REQUESTS: frozenset({S.ADMIN, S.ADMIN_GRANTED}),
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
    Action.OPEN_SESSION_SPACE: frozenset({S.TRAINER}),
    # What only makes sense in a space is granted in none of a session's standings.
    Action.JOIN_SPACE: frozenset(),
    Action.REQUEST_TO_JOIN: frozenset(),
    Action.LEAVE_SPACE: frozenset(),
    Action.MANAGE_SPACE: frozenset(),
    Action.LEAD_ACTIVITIES: frozenset(),
    Action.EDIT_RESERVED: frozenset(),
}

SPACE_MEMBERS = frozenset({S.ANIMATOR, S.MEMBER})
ANIMATORS = frozenset({S.ANIMATOR})
# How a session's people stand in the session's own space; other standings carry over.
SESSION_TO_SPACE = {S.TRAINER: S.ANIMATOR, S.TUTOR: S.ANIMATOR, S.PARTICIPANT: S.MEMBER}

# A space has no parcours timeline: progress, activities, attestations, access grants and the
# inspectors' lists are session matters, denied to everyone here. Only a session's own space
# can hold ADMIN_GRANTED (through the session's grant), and reads no more with it.
SPACE_GRANTS: dict[Action, frozenset[Standing]] = {action: frozenset() for action in Action} | {
    Action.VIEW_SESSION_SUMMARY: SPACE_MEMBERS | {S.NEWCOMER, S.ADMIN, S.ADMIN_GRANTED},
    Action.ENTER_SESSION: SPACE_MEMBERS | {S.ADMIN_GRANTED},
    Action.LIST_MEMBERS: SPACE_MEMBERS | {S.ADMIN, S.ADMIN_GRANTED},
    # Academy administrators appoint animators; animators invite and accept members.
    Action.MANAGE_ENROLMENTS: ANIMATORS | {S.ADMIN},
    Action.MANAGE_SPACE: ANIMATORS | {S.ADMIN},
    Action.READ_CONTRIBUTIONS: SPACE_MEMBERS | {S.ADMIN_GRANTED},
    Action.READ_TRAINER_ONLY_CONTRIBUTIONS: ANIMATORS | {S.ADMIN_GRANTED},
    Action.CONTRIBUTE: SPACE_MEMBERS,
    Action.REACT: SPACE_MEMBERS,
    Action.MODERATE: ANIMATORS,
    Action.FOLLOW: SPACE_MEMBERS,
    Action.MANAGE_FORUMS: ANIMATORS,
    Action.START_NEWS_DISCUSSION: ANIMATORS,
    Action.READ_QA_WITHOUT_ANSWERING: ANIMATORS | {S.ADMIN_GRANTED},
    Action.ARRANGE_DISCUSSIONS: ANIMATORS,
    Action.READ_MODERATION_LOG: ANIMATORS,
    Action.SCHEDULE_CLASS: ANIMATORS,
    Action.VOTE: SPACE_MEMBERS,
    Action.VIEW_POLL_RESULTS: ANIMATORS,
    Action.VIEW_POLL_BALLOTS: SPACE_MEMBERS | {S.ADMIN_GRANTED},
    # Recordings are for members only, as in a session.
    Action.WATCH_RECORDINGS: SPACE_MEMBERS,
    Action.RECORD_CLASS: ANIMATORS,
    Action.MANAGE_RECORDINGS: ANIMATORS,
    # A space's classes: its members come in, its animators moderate and run them, as a
    # session's trainers do; no access grant opens a live class (trust frame).
    Action.CLASSROOM_JOIN: SPACE_MEMBERS,
    Action.CLASSROOM_PARTICIPATE: SPACE_MEMBERS,
    Action.CLASSROOM_MODERATE: ANIMATORS,
    Action.CLASSROOM_MANAGE: ANIMATORS,
    Action.JOIN_SPACE: frozenset({S.NEWCOMER}),
    Action.REQUEST_TO_JOIN: frozenset({S.NEWCOMER}),
    Action.LEAVE_SPACE: SPACE_MEMBERS,
    Action.LEAD_ACTIVITIES: ANIMATORS,
    Action.EDIT_RESERVED: ANIMATORS,
}

PLATFORM_GRANTS: dict[PlatformAction, frozenset[str]] = {
    PlatformAction.VIEW_STATS: frozenset({PlatformRole.Role.NATIONAL, PlatformRole.Role.ADMIN}),
    PlatformAction.DUPLICATE_PARCOURS: frozenset(
        {PlatformRole.Role.DESIGNER, PlatformRole.Role.ADMIN}
    ),
    PlatformAction.LIST_INSPECTED_SESSIONS: frozenset({PlatformRole.Role.INSPECTOR}),
    PlatformAction.AUTHOR_PARCOURS: frozenset(
        {PlatformRole.Role.DESIGNER, PlatformRole.Role.ADMIN}
    ),
    # Sessions and accounts are the academy's administrators' (gestionnaires') work.
    PlatformAction.CREATE_SESSION: frozenset({PlatformRole.Role.ADMIN}),
    PlatformAction.CREATE_ACCOUNT: frozenset({PlatformRole.Role.ADMIN}),
    PlatformAction.LIST_ACADEMY_SESSIONS: frozenset({PlatformRole.Role.ADMIN}),
    # In the academy of their role; `decide_create_space` adds the academy rule.
    PlatformAction.CREATE_SPACE: frozenset({PlatformRole.Role.ADMIN, PlatformRole.Role.DESIGNER}),
    # Beyond participant lists and attestations, no one exports nominative data.
    PlatformAction.EXPORT_NOMINATIVE_DATA: frozenset(),
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
        Action.OPEN_SESSION_SPACE,
        Action.JOIN_SPACE,
        Action.REQUEST_TO_JOIN,
        Action.LEAD_ACTIVITIES,
        Action.EDIT_RESERVED,
    }
)
# Reading that stops after the end for participants unless the trainer keeps content open.
CLOSED_AFTER_END_UNLESS_OPEN = frozenset(
    {
        Action.ENTER_SESSION,
        Action.VIEW_ACTIVITIES,
        Action.READ_CONTRIBUTIONS,
        Action.VIEW_POLL_BALLOTS,
        Action.WATCH_RECORDINGS,
    }
)
# Who keeps reading after the end even when the content was closed.
READ_AFTER_CLOSE = STAFF | ANIMATORS | {S.ADMIN_GRANTED}
