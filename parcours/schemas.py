from datetime import date, datetime

from ninja import Field, Schema
from pydantic import AwareDatetime

from .inputs import Id


class TokenIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=256)
    # What the token is for ("script de suivi"): logging in again under it replaces it.
    name: str = Field(default="", max_length=100)


class ApiTokenOut(Schema):
    id: int
    name: str
    expires_at: datetime
    # True for the token this request was made with.
    current: bool = False


class TokenOut(ApiTokenOut):
    # Shown once: only its hash is kept.
    token: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    school: str
    circonscription: str
    academy: str | None
    platform_roles: list[str]
    last_visit: date | None
    role_form: str


class SessionOut(Schema):
    id: int
    title: str
    parcours_id: int
    parcours_title: str
    academy: str
    starts_on: date
    ends_on: date
    state: str
    ended: bool
    content_open_after_end: bool
    # The caller's standing: participant, tutor, trainer, or inspector for a session
    # of their circonscription.
    role: str


class ActivityOut(Schema):
    id: int
    title: str
    # resource, forum, virtual_class, collaborative or questionnaire
    kind: str
    # What it opens in this session (its forum, its classes, its questionnaire), if anything.
    url: str | None = None
    estimated_minutes: int
    trainer_only: bool
    completed: bool


class SectionOut(Schema):
    id: int
    title: str
    activities: list[ActivityOut]


class TeacherOut(Schema):
    """What an inspector may know of an enrolled teacher: a name and a school."""

    name: str
    school: str
    finished: bool


class AttestationOut(Schema):
    id: int
    number: str
    issued_on: date
    url: str


class SessionDetailOut(SessionOut):
    trainers: list[str]
    # Heads of the topics this state depends on (the viewer's own `user:<id>`).
    topics: dict[str, int] = {}
    distance_minutes: int
    presence_minutes: int
    sections: list[SectionOut] | None = None
    teachers: list[TeacherOut] | None = None
    # A participant's own attestation, once a trainer marked their training finished.
    attestation: AttestationOut | None = None


class MemberOut(Schema):
    user_id: int
    username: str
    name: str
    role: str
    school: str
    circonscription: str
    finished: bool


class ProgressOut(Schema):
    user_id: int
    name: str
    completed: int
    total: int
    percent: int
    # Present for trainers and tutors only; never time spent or connection times.
    last_visit: date | None = None


class ContentOpenIn(Schema):
    content_open_after_end: bool


class DuplicateIn(Schema):
    title: str | None = Field(default=None, min_length=1, max_length=200)


class ParcoursOut(Schema):
    id: int
    title: str
    origin: str
    academy: str | None
    duplicated_from_id: int | None
    sections: int


class SectionCopyOut(Schema):
    id: int
    title: str
    parcours_id: int
    position: int
    activities: int


class AccessGrantIn(Schema):
    reason: str = Field(max_length=2000)
    # With its offset: a naive time would be ambiguous across academies' time zones.
    expires_at: AwareDatetime
    # The member's request the grant answers (required by the service: a grant answers one).
    help_request_id: Id | None = None


class AccessGrantOut(Schema):
    id: int
    session_id: int
    reason: str
    expires_at: datetime
    help_request_id: int | None


class HelpRequestIn(Schema):
    message: str = Field(max_length=2000)


class HelpRequestOut(Schema):
    id: int
    session_id: int
    requester: str
    message: str
    created_at: datetime
    granted: bool


class AuditEntryOut(Schema):
    actor: str
    action: str
    reason: str
    at: datetime
    # What was read or entered, under an access grant: ("discussion", 12), and in French.
    object_kind: str
    object_id: int | None
    object: str
    help_request_id: int | None


class StatsRowOut(Schema):
    academy: str
    academy_name: str
    parcours_id: int
    parcours: str
    sessions: int
    # null when between 1 and 4: small counts are suppressed.
    enrolments: int | None
    finished: int | None
