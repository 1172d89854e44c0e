"""Schemas of parcours authoring, sessions, enrolment, accounts and the desks."""

from datetime import date
from typing import Annotated, Literal

from ninja import Field, Schema

from ..inputs import Id
from ..schemas import SessionOut

Minutes = Annotated[int, Field(ge=0, le=100_000)]
Title = Annotated[str, Field(min_length=1, max_length=200)]
ParcoursKind = Literal["tutored", "self_enrolment", "collaborative_space"]
ActivityKind = Literal["resource", "forum", "virtual_class", "collaborative", "questionnaire"]
Role = Literal["participant", "tutor", "trainer"]
Identifier = Annotated[str, Field(min_length=1, max_length=254)]


class ParcoursIn(Schema):
    title: Title
    kind: ParcoursKind = "tutored"
    distance_minutes: Minutes = 0
    presence_minutes: Minutes = 0
    academy_id: Id | None = None


class ParcoursPatch(Schema):
    title: Title | None = None
    kind: ParcoursKind | None = None
    distance_minutes: Minutes | None = None
    presence_minutes: Minutes | None = None
    # Published in the inter-academic offer: other academies may copy it.
    published: bool | None = None


class SectionIn(Schema):
    title: Title
    position: Annotated[int, Field(ge=1, le=10_000)] | None = None


class SectionPatch(Schema):
    title: Title | None = None
    position: Annotated[int, Field(ge=1, le=10_000)] | None = None


class ActivityIn(Schema):
    title: Title
    kind: ActivityKind = "resource"
    estimated_minutes: Minutes = 0
    trainer_only: bool = False
    position: Annotated[int, Field(ge=1, le=10_000)] | None = None


class ActivityPatch(Schema):
    title: Title | None = None
    kind: ActivityKind | None = None
    estimated_minutes: Minutes | None = None
    trainer_only: bool | None = None
    position: Annotated[int, Field(ge=1, le=10_000)] | None = None
    section_id: Id | None = None


class AuthoringActivityOut(Schema):
    id: int
    title: str
    kind: str
    estimated_minutes: int
    trainer_only: bool
    position: int


class AuthoringSectionOut(Schema):
    id: int
    title: str
    position: int
    activities: list[AuthoringActivityOut]


class ParcoursRowOut(Schema):
    id: int
    title: str
    kind: str
    origin: str
    academy: str | None
    published: bool
    distance_minutes: int
    presence_minutes: int
    duplicated_from_id: int | None
    may_edit: bool
    may_duplicate: bool


class ParcoursDetailOut(ParcoursRowOut):
    sections: list[AuthoringSectionOut]


class SessionIn(Schema):
    parcours_id: Id
    title: Title
    starts_on: date
    ends_on: date
    circonscription: Annotated[str, Field(max_length=120)] = ""
    academy_id: Id | None = None
    # Identifiers (or e-mail addresses) of the trainers and tutors.
    trainers: Annotated[list[Identifier], Field(max_length=50)] = []
    tutors: Annotated[list[Identifier], Field(max_length=50)] = []


class SessionPatch(Schema):
    title: Title | None = None
    circonscription: Annotated[str, Field(max_length=120)] | None = None
    starts_on: date | None = None
    ends_on: date | None = None


class EnrolIn(Schema):
    # An identifier or an e-mail address, exactly: enrolment is no directory search.
    identifier: Identifier
    role: Role = "participant"


class ImportLineOut(Schema):
    line: int
    identifier: str
    name: str
    role: str
    # enrol, create (a new account), member (already in: nothing to do) or error
    outcome: str
    reason: str
    activation_path: str | None


class ImportReportOut(Schema):
    imported: bool
    enrol: int
    create: int
    member: int
    errors: int
    lines: list[ImportLineOut]


class AccountIn(Schema):
    username: Annotated[str, Field(min_length=1, max_length=150)]
    first_name: Annotated[str, Field(min_length=1, max_length=150)]
    last_name: Annotated[str, Field(min_length=1, max_length=150)]
    email: Annotated[str, Field(max_length=254)] = ""
    school: Annotated[str, Field(max_length=200)] = ""
    circonscription: Annotated[str, Field(max_length=120)] = ""
    academy_id: Id | None = None


class AccountOut(Schema):
    user_id: int
    username: str
    name: str
    # Where its owner sets their password; valid once, for a few days.
    activation_path: str


class DeskSessionOut(SessionOut):
    circonscription: str
    trainers: list[str]
    participants: int
    finished: int
    # What the caller may do with it (`parcours.policies.Action` values).
    actions: list[str]


class GrantRowOut(Schema):
    id: int
    session_id: int
    session_title: str
    reason: str
    expires_at: str
    active: bool
