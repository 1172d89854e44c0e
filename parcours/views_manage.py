"""Managing one session from a page: its title and dates, closing it, enrolling people one
by one or by CSV, withdrawing them. Everything is sent to the API by the page's scripts;
this view only shows what `policies` lets the reader do."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import imports, policies, selectors
from .errors import ServiceError
from .models import Membership
from .policies import Action, PlatformAction
from .views_desk import refuse

MANAGING = {Action.EDIT_SESSION, Action.MANAGE_ENROLMENTS}


@login_required
def session_manage_page(request: HttpRequest, session_id: int) -> HttpResponse:
    user = request.user
    try:
        session = selectors.get_session(session_id)
    except ServiceError as exc:
        return refuse(request, exc)
    allowed = policies.allowed_actions(user, session)
    if not allowed & MANAGING:
        return refuse(request, policies.decide(user, Action.EDIT_SESSION, session))
    can = {action.name.lower(): action in allowed for action in Action}
    roles = [(Membership.Role.PARTICIPANT, Membership.Role.PARTICIPANT.label)]
    if can["manage_staff"]:
        roles += [(r, r.label) for r in (Membership.Role.TUTOR, Membership.Role.TRAINER)]
    return render(
        request,
        "parcours/session_manage.html",
        {
            "session": session,
            "can": can,
            "roles": roles,
            "members": selectors.members(session) if can["list_members"] else None,
            "may_create_accounts": policies.decide_in_academy(
                user, PlatformAction.CREATE_ACCOUNT, session.academy_id
            ).allowed,
            "max_import_kib": imports.MAX_IMPORT_BYTES // 1024,
            "max_import_lines": imports.MAX_IMPORT_LINES,
        },
    )
