"""Parcours, sections and activities: designers and administrators create and adapt them."""

from django.http import HttpRequest
from ninja import Status

from .. import authoring, desks, policies, selectors
from ..models import Parcours
from ..policies import PlatformAction
from .base import router
from .schemas import (
    ActivityIn,
    ActivityPatch,
    AuthoringActivityOut,
    AuthoringSectionOut,
    Id,
    ParcoursDetailOut,
    ParcoursIn,
    ParcoursPatch,
    ParcoursRowOut,
    SectionIn,
    SectionPatch,
)


def parcours_row(user, parcours: Parcours) -> dict:
    return {
        "id": parcours.pk,
        "title": parcours.title,
        "kind": parcours.kind,
        "origin": parcours.origin,
        "academy": parcours.academy.code if parcours.academy else None,
        "published": parcours.published,
        "distance_minutes": parcours.distance_minutes,
        "presence_minutes": parcours.presence_minutes,
        "duplicated_from_id": parcours.duplicated_from_id,
        "may_edit": policies.decide_author_parcours(user, parcours).allowed,
        "may_duplicate": policies.decide_duplicate_parcours(user, parcours).allowed,
    }


def parcours_detail(user, parcours_id: int) -> dict:
    parcours = desks.parcours_outline(parcours_id)
    policies.decide_view_parcours(user, parcours).raise_if_denied()
    return parcours_row(user, parcours) | {"sections": list(parcours.sections.all())}


@router.get("/parcours", response=list[ParcoursRowOut])
def list_parcours(request: HttpRequest):
    """What the caller may edit or copy: national parcours, their academy's, the offer."""
    policies.require_platform(request.user, PlatformAction.AUTHOR_PARCOURS)
    return [parcours_row(request.user, p) for p in desks.authored_parcours(request.user)]


@router.post("/parcours", response={201: ParcoursDetailOut})
def create_parcours(request: HttpRequest, payload: ParcoursIn):
    parcours = authoring.create_parcours(actor=request.user, **payload.dict())
    return Status(201, parcours_detail(request.user, parcours.pk))


@router.get("/parcours/{parcours_id}", response=ParcoursDetailOut)
def parcours_outline(request: HttpRequest, parcours_id: Id):
    return parcours_detail(request.user, parcours_id)


@router.patch("/parcours/{parcours_id}", response=ParcoursDetailOut)
def update_parcours(request: HttpRequest, parcours_id: Id, payload: ParcoursPatch):
    parcours = selectors.get_parcours(parcours_id)
    authoring.update_parcours(
        parcours=parcours, actor=request.user, **payload.dict(exclude_none=True)
    )
    return parcours_detail(request.user, parcours_id)


@router.post("/parcours/{parcours_id}/sections", response={201: AuthoringSectionOut})
def create_section(request: HttpRequest, parcours_id: Id, payload: SectionIn):
    parcours = selectors.get_parcours(parcours_id)
    section = authoring.create_section(parcours=parcours, actor=request.user, **payload.dict())
    return Status(201, section)


@router.patch("/parcours/{parcours_id}/sections/{section_id}", response=AuthoringSectionOut)
def update_section(request: HttpRequest, parcours_id: Id, section_id: Id, payload: SectionPatch):
    section = selectors.get_section(parcours_id, section_id)
    return authoring.update_section(
        section=section, actor=request.user, **payload.dict(exclude_none=True)
    )


@router.delete("/parcours/{parcours_id}/sections/{section_id}", response={204: None})
def delete_section(request: HttpRequest, parcours_id: Id, section_id: Id):
    section = selectors.get_section(parcours_id, section_id)
    authoring.delete_section(section=section, actor=request.user)
    return Status(204, None)


@router.post(
    "/parcours/{parcours_id}/sections/{section_id}/activities",
    response={201: AuthoringActivityOut},
)
def create_activity(request: HttpRequest, parcours_id: Id, section_id: Id, payload: ActivityIn):
    section = selectors.get_section(parcours_id, section_id)
    activity = authoring.create_activity(section=section, actor=request.user, **payload.dict())
    return Status(201, activity)


@router.patch("/parcours/{parcours_id}/activities/{activity_id}", response=AuthoringActivityOut)
def update_activity(request: HttpRequest, parcours_id: Id, activity_id: Id, payload: ActivityPatch):
    activity = desks.get_activity(parcours_id, activity_id)
    changes = payload.dict(exclude_none=True)
    section_id = changes.pop("section_id", None)
    section = selectors.get_section(parcours_id, section_id) if section_id else None
    return authoring.update_activity(
        activity=activity, actor=request.user, section=section, **changes
    )


@router.delete("/parcours/{parcours_id}/activities/{activity_id}", response={204: None})
def delete_activity(request: HttpRequest, parcours_id: Id, activity_id: Id):
    activity = desks.get_activity(parcours_id, activity_id)
    authoring.delete_activity(activity=activity, actor=request.user)
    return Status(204, None)
