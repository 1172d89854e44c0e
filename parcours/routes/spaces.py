"""Collaborative spaces as member containers: listing, opening, joining, members.

What members do inside a space (documents, word clouds, resources) is `collab`'s API; its
forums, classes and series are their apps' (`/spaces/{id}/forums`...).
"""

from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Schema, Status

from .. import policies, selectors, spaces
from ..models import Space, SpaceMembership
from ..policies import Action
from .base import router
from .schemas import Id, Title

Visibility = Literal["open", "on_request", "invitation"]


class SpaceIn(Schema):
    title: Title
    academy_id: Id
    origin: Literal["academic", "national"] = "academic"
    visibility: Visibility = "on_request"
    description: Annotated[str, Field(max_length=5000)] = ""


class SpaceOut(Schema):
    id: int
    title: str
    description: str
    origin: str
    visibility: str
    academy: str
    session_id: int | None
    archived: bool
    # What the viewer is here: animator, member, newcomer...
    standing: list[str]


class SpaceMemberOut(Schema):
    user_id: int
    name: str
    role: str


class AddMemberIn(Schema):
    username: Annotated[str, Field(min_length=1, max_length=150)]
    role: Literal["animator", "member"] = "member"


class JoinRequestIn(Schema):
    message: Annotated[str, Field(max_length=500)] = ""


class JoinRequestOut(Schema):
    id: int
    user_id: int
    name: str
    message: str


class AnswerIn(Schema):
    accept: bool


def _out(space: Space, user) -> dict:
    return {
        "id": space.pk,
        "title": space.title,
        "description": space.description,
        "origin": space.origin,
        "visibility": space.visibility,
        "academy": space.academy.name,
        "session_id": space.session_id,
        "archived": space.archived,
        "standing": sorted(policies.standings(user, space)),
    }


@router.get("/spaces", response=list[SpaceOut])
def list_spaces(request: HttpRequest):
    """The spaces the viewer is in, and those they may see and join or ask to join."""
    return [_out(space, request.user) for space in selectors.visible_spaces(request.user)]


@router.post("/spaces", response={201: SpaceOut})
def create_space(request: HttpRequest, payload: SpaceIn):
    space = spaces.create_space(actor=request.user, **payload.dict())
    return Status(201, _out(selectors.get_space(space.pk), request.user))


@router.get("/spaces/{space_id}", response=SpaceOut)
def get_space(request: HttpRequest, space_id: Id):
    space = selectors.get_space(space_id)
    policies.require(request.user, Action.VIEW_SESSION_SUMMARY, space)
    return _out(space, request.user)


@router.get("/spaces/{space_id}/members", response=list[SpaceMemberOut])
def list_members(request: HttpRequest, space_id: Id):
    space = selectors.get_space(space_id)
    policies.require(request.user, Action.LIST_MEMBERS, space)
    rows = SpaceMembership.objects.filter(space=space).select_related("user").order_by("id")
    return [
        {"user_id": m.user_id, "name": selectors.display_name(m.user), "role": m.role} for m in rows
    ]


@router.post("/spaces/{space_id}/members", response={201: SpaceMemberOut})
def add_member(request: HttpRequest, space_id: Id, payload: AddMemberIn):
    space = selectors.get_space(space_id)
    made = spaces.add_member(space=space, actor=request.user, **payload.dict())
    return Status(
        201, {"user_id": made.user_id, "name": selectors.display_name(made.user), "role": made.role}
    )


@router.delete("/spaces/{space_id}/members/{user_id}", response={204: None})
def remove_member(request: HttpRequest, space_id: Id, user_id: Id):
    spaces.remove_member(space=selectors.get_space(space_id), actor=request.user, user_id=user_id)
    return Status(204, None)


@router.post("/spaces/{space_id}/join", response={204: None})
def join(request: HttpRequest, space_id: Id):
    spaces.join_space(space=selectors.get_space(space_id), actor=request.user)
    return Status(204, None)


@router.post("/spaces/{space_id}/requests", response={204: None})
def ask_to_join(request: HttpRequest, space_id: Id, payload: JoinRequestIn):
    space = selectors.get_space(space_id)
    spaces.request_to_join(space=space, actor=request.user, message=payload.message)
    return Status(204, None)


@router.get("/spaces/{space_id}/requests", response=list[JoinRequestOut])
def list_requests(request: HttpRequest, space_id: Id):
    """The requests waiting for an answer, to those who answer them."""
    space = selectors.get_space(space_id)
    policies.require(request.user, Action.MANAGE_ENROLMENTS, space)
    return [
        {
            "id": r.pk,
            "user_id": r.user_id,
            "name": selectors.display_name(r.user),
            "message": r.message,
        }
        for r in selectors.join_requests(space)
    ]


@router.post("/spaces/{space_id}/requests/{request_id}/answer", response={204: None})
def answer(request: HttpRequest, space_id: Id, request_id: Id, payload: AnswerIn):
    space = selectors.get_space(space_id)
    spaces.answer_request(
        space=space, actor=request.user, request_id=request_id, accept=payload.accept
    )
    return Status(204, None)


@router.post("/spaces/{space_id}/leave", response={204: None})
def leave(request: HttpRequest, space_id: Id):
    spaces.leave_space(space=selectors.get_space(space_id), actor=request.user)
    return Status(204, None)
