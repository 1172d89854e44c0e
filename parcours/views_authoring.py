"""Parcours pages for designers and administrators: the list of what they may edit or
copy, and one parcours' editor (sections and activities), all written through the API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import desks, policies
from .errors import ServiceError
from .models import Activity, Parcours
from .policies import PlatformAction
from .views_desk import refuse


@login_required
def authoring_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    decision = policies.decide_platform(user, PlatformAction.AUTHOR_PARCOURS)
    if not decision:
        return refuse(request, decision)
    rows = [
        {
            "parcours": parcours,
            "may_edit": policies.decide_author_parcours(user, parcours).allowed,
            "may_duplicate": policies.decide_duplicate_parcours(user, parcours).allowed,
        }
        for parcours in desks.authored_parcours(user)
    ]
    return render(
        request,
        "parcours/authoring.html",
        {"rows": rows, "kinds": Parcours.Kind.choices},
    )


@login_required
def parcours_page(request: HttpRequest, parcours_id: int) -> HttpResponse:
    user = request.user
    try:
        parcours = desks.parcours_outline(parcours_id)
        policies.decide_view_parcours(user, parcours).raise_if_denied()
    except ServiceError as exc:
        return refuse(request, exc)
    sections = list(parcours.sections.all())
    return render(
        request,
        "parcours/parcours_edit.html",
        {
            "parcours": parcours,
            "sections": sections,
            "may_edit": policies.decide_author_parcours(user, parcours).allowed,
            "may_duplicate": policies.decide_duplicate_parcours(user, parcours).allowed,
            "kinds": Parcours.Kind.choices,
            "activity_kinds": Activity.Kind.choices,
        },
    )
