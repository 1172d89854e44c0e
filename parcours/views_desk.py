"""Desks, each reached from the navigation: the administrator's (her academy's sessions,
her access grants, accounts, statistics), the inspector's (his circonscription's sessions),
the national role's statistics; the open-access catalogue; a session's audit log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import audit, desks, policies, selectors
from .errors import ServiceError
from .policies import Action, Decision, PlatformAction


def refuse(request: HttpRequest, decision: Decision | ServiceError) -> HttpResponse:
    error = (
        decision
        if isinstance(decision, ServiceError)
        else ServiceError(decision.code, decision.message)
    )
    return render(request, "parcours/denied.html", {"error": error}, status=error.http_status)


@login_required
def desk_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    decision = policies.decide_platform(user, PlatformAction.LIST_ACADEMY_SESSIONS)
    if not decision:
        return refuse(request, decision)
    sessions = desks.academy_sessions(user)
    return render(
        request,
        "parcours/desk.html",
        {
            "rows": [desks.desk_row(user, session) for session in sessions],
            "grants": desks.grants_of(user),
            "stats": selectors.statistics(policies.stats_academy_scope(user)),
            "platform": policies.platform_actions(user),
            "session_parcours": desks.parcours_for_sessions(user),
        },
    )


@login_required
def circonscription_page(request: HttpRequest) -> HttpResponse:
    decision = policies.decide_platform(request.user, PlatformAction.LIST_INSPECTED_SESSIONS)
    if not decision:
        return refuse(request, decision)
    return render(
        request,
        "parcours/circonscription.html",
        {"inspected": selectors.inspected_sessions(request.user)},
    )


@login_required
def stats_page(request: HttpRequest) -> HttpResponse:
    decision = policies.decide_platform(request.user, PlatformAction.VIEW_STATS)
    if not decision:
        return refuse(request, decision)
    scope = policies.stats_academy_scope(request.user)
    return render(
        request,
        "parcours/stats.html",
        {"stats": selectors.statistics(scope), "national": scope is None},
    )


@login_required
def catalogue_page(request: HttpRequest) -> HttpResponse:
    return render(request, "parcours/catalogue.html", {"sessions": desks.catalogue(request.user)})


@login_required
def audit_page(request: HttpRequest, session_id: int) -> HttpResponse:
    try:
        session = selectors.get_session(session_id)
        policies.require(request.user, Action.READ_AUDIT_LOG, session)
    except ServiceError as exc:
        return refuse(request, exc)
    return render(
        request,
        "parcours/audit.html",
        {"session": session, "entries": _labelled(selectors.audit_log(session))},
    )


def _labelled(entries) -> list:
    """The entries, each with what it is about in French (`audit.object_label`)."""
    rows = list(entries)
    for entry in rows:
        entry.object_label = audit.object_label(entry)
    return rows
