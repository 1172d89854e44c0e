"""Sessions created, edited and closed; people enrolled one by one, by CSV or on their own;
accounts created by administrators; the administrator's desk and the open-access catalogue."""

from django.http import HttpRequest
from ninja import File, Status
from ninja.files import UploadedFile

from .. import accounts, desks, imports, policies, running, selectors
from ..attachments import upload_route
from ..errors import ErrorCode, ServiceError
from ..policies import PlatformAction
from ..schemas import MemberOut, SessionOut
from .base import router
from .rows import member_row, session_row
from .schemas import (
    AccountIn,
    AccountOut,
    DeskSessionOut,
    EnrolIn,
    GrantRowOut,
    Id,
    ImportReportOut,
    SessionIn,
    SessionPatch,
)


def _role(user, session) -> str:
    return "/".join(sorted(policies.standings(user, session)))


@router.post("/sessions", response={201: SessionOut})
def create_session(request: HttpRequest, payload: SessionIn):
    fields = payload.dict()
    parcours = selectors.get_parcours(fields.pop("parcours_id"))
    session = running.create_session(actor=request.user, parcours=parcours, **fields)
    session = selectors.get_session(session.pk)
    return Status(201, session_row(session, _role(request.user, session)))


@router.patch("/sessions/{session_id}", response=SessionOut)
def update_session(request: HttpRequest, session_id: Id, payload: SessionPatch):
    session = selectors.get_session(session_id)
    running.update_session(session=session, actor=request.user, **payload.dict())
    return session_row(session, _role(request.user, session))


@router.post("/sessions/{session_id}/close", response=SessionOut)
def close_session(request: HttpRequest, session_id: Id):
    session = selectors.get_session(session_id)
    running.close_session(session=session, actor=request.user)
    return session_row(session, _role(request.user, session))


@router.post("/sessions/{session_id}/members", response={201: MemberOut})
def enrol(request: HttpRequest, session_id: Id, payload: EnrolIn):
    session = selectors.get_session(session_id)
    membership = running.enrol(session=session, actor=request.user, **payload.dict())
    return Status(201, member_row(membership))


@router.post("/sessions/{session_id}/enrol", response={201: MemberOut})
def enrol_self(request: HttpRequest, session_id: Id):
    """Join a session of a parcours in open access."""
    session = selectors.get_session(session_id)
    return Status(201, member_row(running.enrol_self(session=session, user=request.user)))


def _report(report: imports.Report, *, imported: bool) -> dict:
    return {
        "imported": imported,
        "enrol": report.count(imports.Outcome.ENROL),
        "create": report.count(imports.Outcome.CREATE),
        "member": report.count(imports.Outcome.MEMBER),
        "errors": len(report.errors),
        "lines": [imports.line_out(line) for line in report.lines],
    }


def _read_upload(file: UploadedFile) -> bytes:
    if file.size is not None and file.size > imports.MAX_IMPORT_BYTES:
        raise ServiceError(
            ErrorCode.TOO_LARGE,
            "Fichier trop volumineux.",
            {"field": "file", "max_bytes": imports.MAX_IMPORT_BYTES},
        )
    return file.read(imports.MAX_IMPORT_BYTES + 1)


@router.post(
    "/sessions/{session_id}/imports/preview",
    response=ImportReportOut,
    openapi_extra=upload_route(imports.MAX_IMPORT_BYTES),
)
def preview_import(request: HttpRequest, session_id: Id, file: File[UploadedFile]):
    """What the import of this CSV would do, line by line; nothing is written."""
    session = selectors.get_session(session_id)
    report = imports.plan(session=session, actor=request.user, data=_read_upload(file))
    return _report(report, imported=False)


@router.post(
    "/sessions/{session_id}/imports",
    response={201: ImportReportOut},
    openapi_extra=upload_route(imports.MAX_IMPORT_BYTES),
)
def import_members(request: HttpRequest, session_id: Id, file: File[UploadedFile]):
    """Every line enrolled, or none: a line in error refuses the whole file (422)."""
    session = selectors.get_session(session_id)
    report = imports.import_members(session=session, actor=request.user, data=_read_upload(file))
    return Status(201, _report(report, imported=True))


@router.post("/accounts", response={201: AccountOut})
def create_account(request: HttpRequest, payload: AccountIn):
    created = accounts.create_account(actor=request.user, **payload.dict())
    return Status(
        201,
        {
            "user_id": created.user.pk,
            "username": created.user.username,
            "name": selectors.display_name(created.user),
            "activation_path": created.activation_path,
        },
    )


@router.get("/catalogue", response=list[SessionOut])
def catalogue(request: HttpRequest):
    """Sessions in open access the caller may join."""
    return [session_row(s, "") for s in desks.catalogue(request.user)]


@router.get("/desk/sessions", response=list[DeskSessionOut])
def desk_sessions(request: HttpRequest):
    """The sessions of the academies the caller administers, with what they may do."""
    policies.require_platform(request.user, PlatformAction.LIST_ACADEMY_SESSIONS)
    rows = [desks.desk_row(request.user, s) for s in desks.academy_sessions(request.user)]
    return [
        session_row(row["session"], row["role"])
        | {
            "circonscription": row["session"].circonscription,
            "trainers": row["trainers"],
            "participants": row["session"].participants,
            "finished": row["session"].finished,
            "actions": [str(action) for action in row["actions"]],
        }
        for row in rows
    ]


@router.get("/desk/grants", response=list[GrantRowOut])
def my_grants(request: HttpRequest):
    """The caller's access grants, active or expired."""
    policies.require_platform(request.user, PlatformAction.LIST_ACADEMY_SESSIONS)
    return [
        {
            "id": grant.pk,
            "session_id": grant.session_id,
            "session_title": grant.session.title,
            "reason": grant.reason,
            "expires_at": grant.expires_at.isoformat(),
            "active": grant.is_active(),
        }
        for grant in desks.grants_of(request.user)
    ]
