"""Parcours, sessions, members, progress, attestations, access grants and statistics."""

from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Schema, Status

from . import accounts, attestations, audit, heads, policies, selectors, services
from .exports import spreadsheet
from .inputs import Id, QueryText
from .policies import Action, PlatformAction
from .routes.base import router
from .routes.rows import member_row as _member_out
from .routes.rows import session_row as _session_out
from .schemas import (
    AccessGrantIn,
    AccessGrantOut,
    ApiTokenOut,
    AttestationOut,
    AuditEntryOut,
    ContentOpenIn,
    DuplicateIn,
    HelpRequestIn,
    HelpRequestOut,
    MemberOut,
    MeOut,
    ParcoursOut,
    ProgressOut,
    SectionCopyOut,
    SessionDetailOut,
    SessionOut,
    StatsRowOut,
    TeacherOut,
    TokenIn,
    TokenOut,
)


@router.post("/auth/token", auth=None, response=TokenOut)
def create_token(request: HttpRequest, payload: TokenIn):
    address = request.META.get("REMOTE_ADDR", "")
    key, token = services.issue_api_token(**payload.dict(), address=address)
    return {"token": key, "id": token.pk, "name": token.name, "expires_at": token.expires_at}


@router.get("/me/tokens", response=list[ApiTokenOut])
def my_tokens(request: HttpRequest):
    current = getattr(request, "api_token_id", None)
    return [
        {"id": t.pk, "name": t.name, "expires_at": t.expires_at, "current": t.pk == current}
        for t in selectors.api_tokens_of(request.user)
    ]


@router.delete("/me/tokens/{token_id}", response={204: None})
def revoke_token(request: HttpRequest, token_id: Id):
    services.revoke_api_token(actor=request.user, token_id=token_id)
    return Status(204, None)


class MeIn(Schema):
    # How one's roles are named: formatrice (feminine), formateur (masculine), formateur·rice.
    role_form: Literal["neutral", "feminine", "masculine"]


@router.patch("/me", response=MeOut)
def update_me(request: HttpRequest, payload: MeIn):
    request.user.profile = accounts.set_role_form(actor=request.user, role_form=payload.role_form)
    return me(request)


@router.get("/me", response=MeOut)
def me(request: HttpRequest):
    user = request.user
    profile = getattr(user, "profile", None)
    return {
        "id": user.pk,
        "username": user.get_username(),
        "full_name": selectors.display_name(user),
        "school": profile.school if profile else "",
        "circonscription": profile.circonscription if profile else "",
        "academy": profile.academy.code if profile and profile.academy else None,
        "platform_roles": sorted(user.platform_roles.values_list("role", flat=True)),
        "last_visit": profile.last_visit if profile else None,
        "role_form": profile.role_form if profile else "neutral",
    }


@router.get("/sessions", response=list[SessionOut])
def list_sessions(request: HttpRequest):
    mine = [_session_out(m.session, m.role) for m in selectors.memberships_of(request.user)]
    seen = {row["id"] for row in mine}
    inspected = [
        _session_out(session, policies.Standing.INSPECTOR)
        for session in selectors.inspected_sessions(request.user)
        if session.pk not in seen
    ]
    return mine + inspected


@router.get("/sessions/{session_id}", response=SessionDetailOut)
def session_detail(request: HttpRequest, session_id: Id, response: HttpResponse):
    user = request.user
    session = selectors.get_session(session_id)
    policies.require(user, Action.VIEW_SESSION_SUMMARY, session)
    topics = heads.expose_heads(response, [f"user:{user.pk}"])
    held = policies.standings(user, session)
    detail = _session_out(session, "/".join(sorted(held)))
    detail |= {
        "trainers": selectors.trainer_names(session),
        "distance_minutes": session.parcours.distance_minutes,
        "presence_minutes": session.parcours.presence_minutes,
        "topics": topics,
    }
    if policies.can(user, Action.VIEW_ACTIVITIES, session):
        services.record_entry(session=session, user=user)
        detail["sections"] = selectors.outline(
            session,
            user=user,
            include_trainer_only=policies.can(user, Action.VIEW_TRAINER_ONLY_CONTENT, session),
        )
    if policies.can(user, Action.VIEW_OWN_PROGRESS, session):
        own = selectors.own_attestation(session, user)
        detail["attestation"] = _attestation_out(own) if own else None
    if policies.can(user, Action.LIST_ENROLLED_TEACHERS, session):
        detail["teachers"] = [
            TeacherOut(
                name=selectors.display_name(m.user),
                school=m.user.profile.school,
                finished=m.finished_on is not None,
            )
            for m in selectors.enrolled_teachers(session, user.profile.circonscription)
        ]
    return detail


class MemberFilters(Schema):
    role: Literal["participant", "tutor", "trainer"] | None = None
    finished: bool | None = None
    school: QueryText | None = None
    format: Literal["json", "csv"] = "json"


CSV_HEADER = ["identifiant", "nom", "rôle", "établissement", "circonscription", "terminé"]


@router.get("/sessions/{session_id}/members", response=list[MemberOut])
def list_members(request: HttpRequest, session_id: Id, filters: Query[MemberFilters]):
    session = selectors.get_session(session_id)
    policies.require(request.user, Action.LIST_MEMBERS, session)
    rows = [
        _member_out(m)
        for m in selectors.members(
            session, role=filters.role, finished=filters.finished, school=filters.school
        )
    ]
    if filters.format == "json":
        return rows
    services.record_members_export(session=session, actor=request.user)
    table = [CSV_HEADER] + [
        [
            row["username"],
            row["name"],
            row["role"],
            row["school"],
            row["circonscription"],
            "oui" if row["finished"] else "non",
        ]
        for row in rows
    ]
    return spreadsheet(table, filename=f"session-{session.pk}-membres.csv")


@router.delete("/sessions/{session_id}/members/{user_id}", response={204: None})
def remove_member(request: HttpRequest, session_id: Id, user_id: Id):
    session = selectors.get_session(session_id)
    services.remove_member(session=session, actor=request.user, user_id=user_id)
    return Status(204, None)


@router.get("/sessions/{session_id}/progress", response=list[ProgressOut])
def session_progress(request: HttpRequest, session_id: Id):
    user = request.user
    session = selectors.get_session(session_id)
    if policies.can(user, Action.VIEW_ALL_PROGRESS, session):
        rows, with_last_visit = selectors.progress(session), True
    else:
        policies.require(user, Action.VIEW_OWN_PROGRESS, session)
        rows, with_last_visit = selectors.progress(session, only_user=user), False
    return [
        {
            "user_id": row.membership.user_id,
            "name": selectors.display_name(row.membership.user),
            "completed": row.completed,
            "total": row.total,
            "percent": row.percent,
            "last_visit": row.last_visit if with_last_visit else None,
        }
        for row in rows
    ]


@router.post("/sessions/{session_id}/activities/{activity_id}/complete", response={204: None})
def complete_activity(request: HttpRequest, session_id: Id, activity_id: Id):
    session = selectors.get_session(session_id)
    services.complete_activity(session=session, user=request.user, activity_id=activity_id)
    return Status(204, None)


@router.delete("/sessions/{session_id}/activities/{activity_id}/complete", response={204: None})
def undo_completion(request: HttpRequest, session_id: Id, activity_id: Id):
    session = selectors.get_session(session_id)
    services.undo_completion(session=session, user=request.user, activity_id=activity_id)
    return Status(204, None)


@router.put("/sessions/{session_id}/content-open", response=SessionOut)
def set_content_open(request: HttpRequest, session_id: Id, payload: ContentOpenIn):
    session = selectors.get_session(session_id)
    services.set_content_open_after_end(
        session=session, actor=request.user, open_after_end=payload.content_open_after_end
    )
    return _session_out(session, "/".join(sorted(policies.standings(request.user, session))))


def _attestation_out(attestation) -> dict:
    return {
        "id": attestation.pk,
        "number": str(attestation.number),
        "issued_on": attestation.issued_on,
        "url": reverse("api:attestation_pdf", kwargs={"attestation_id": attestation.pk}),
    }


@router.post("/sessions/{session_id}/members/{user_id}/finish", response=AttestationOut)
def finish_training(request: HttpRequest, session_id: Id, user_id: Id):
    session = selectors.get_session(session_id)
    attestation = services.finish_training(
        session=session, actor=request.user, participant_id=user_id
    )
    return _attestation_out(attestation)


@router.get("/attestations/{attestation_id}.pdf", url_name="attestation_pdf")
def attestation_pdf(request: HttpRequest, attestation_id: Id):
    attestation = selectors.get_attestation(attestation_id)
    policies.decide_download_attestation(request.user, attestation).raise_if_denied()
    response = HttpResponse(attestations.render_pdf(attestation), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="attestation-{attestation.number}.pdf"'
    return response


def _parcours_out(parcours) -> dict:
    return {
        "id": parcours.pk,
        "title": parcours.title,
        "origin": parcours.origin,
        "academy": parcours.academy.code if parcours.academy else None,
        "duplicated_from_id": parcours.duplicated_from_id,
        "sections": parcours.sections.count(),
    }


@router.post("/parcours/{parcours_id}/duplicate", response={201: ParcoursOut})
def duplicate_parcours(request: HttpRequest, parcours_id: Id, payload: DuplicateIn | None = None):
    parcours = selectors.get_parcours(parcours_id)
    title = payload.title if payload else None
    copy = services.duplicate_parcours(parcours=parcours, actor=request.user, title=title)
    return Status(201, _parcours_out(copy))


@router.post(
    "/parcours/{parcours_id}/sections/{section_id}/duplicate", response={201: SectionCopyOut}
)
def duplicate_section(request: HttpRequest, parcours_id: Id, section_id: Id):
    section = selectors.get_section(parcours_id, section_id)
    copy = services.duplicate_section(section=section, actor=request.user)
    return Status(
        201,
        {
            "id": copy.pk,
            "title": copy.title,
            "parcours_id": copy.parcours_id,
            "position": copy.position,
            "activities": copy.activities.count(),
        },
    )


@router.post("/sessions/{session_id}/access-grants", response={201: AccessGrantOut})
def create_access_grant(request: HttpRequest, session_id: Id, payload: AccessGrantIn):
    """Opened against a member's help request (`help_request_id`), written to the audit log."""
    session = selectors.get_session(session_id)
    grant = services.grant_access(session=session, actor=request.user, **payload.dict())
    return Status(201, grant)


@router.post("/sessions/{session_id}/help-requests", response={201: HelpRequestOut})
def create_help_request(request: HttpRequest, session_id: Id, payload: HelpRequestIn):
    """A member asks the academy's administrators to come in; written to the audit log."""
    session = selectors.get_session(session_id)
    created = services.request_help(session=session, actor=request.user, message=payload.message)
    return Status(201, selectors.help_request_row(created))


@router.get("/sessions/{session_id}/help-requests", response=list[HelpRequestOut])
def list_help_requests(request: HttpRequest, session_id: Id):
    session = selectors.get_session(session_id)
    policies.require(request.user, Action.LIST_HELP_REQUESTS, session)
    return [selectors.help_request_row(r) for r in selectors.help_requests(session)]


@router.get("/sessions/{session_id}/audit", response=list[AuditEntryOut])
def audit_log(request: HttpRequest, session_id: Id):
    session = selectors.get_session(session_id)
    policies.require(request.user, Action.READ_AUDIT_LOG, session)
    return [
        {
            "actor": selectors.display_name(entry.actor),
            "action": entry.action,
            "reason": entry.reason,
            "at": entry.at,
            "object_kind": entry.object_kind,
            "object_id": entry.object_id,
            "object": audit.object_label(entry),
            "help_request_id": entry.help_request_id,
        }
        for entry in selectors.audit_log(session)
    ]


@router.get("/stats", response=list[StatsRowOut])
def statistics(request: HttpRequest):
    policies.require_platform(request.user, PlatformAction.VIEW_STATS)
    return selectors.statistics(policies.stats_academy_scope(request.user))


# Running a training (parcours authoring, sessions, enrolment, accounts, desks): by concept
# in parcours/routes/.
from .routes import authoring, running, spaces  # noqa: E402, F401  (their routes join `router`)
