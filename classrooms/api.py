"""Virtual classrooms over HTTP: rooms, their life, moderation, hands, chat, activities.

Chat, hands and reactions may also be sent on the room's realtime topic (`classroom:<id>`);
both paths call the same services.
"""

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from parcours import policies
from parcours import selectors as parcours_selectors
from parcours.inputs import Id, QueryText
from parcours.policies import Action
from realtime.heads import expose_heads

from . import activities, selectors, services
from .schemas import (
    BreakoutIn,
    ChatIn,
    ChatOut,
    HandIn,
    PollAnswerIn,
    PollIn,
    PollOut,
    PresenterIn,
    ReactionIn,
    RoomIn,
    RoomOut,
    SettingsIn,
    VisitIn,
)

router = Router()


def _room(request: HttpRequest, classroom_id: Id):
    """The room, to a member of its session or space (others get 403, unknown ids 404)."""
    room = selectors.get_classroom(classroom_id)
    policies.require(request.user, Action.CLASSROOM_JOIN, room.scope)
    return room


def _view(request: HttpRequest, room) -> dict:
    room.refresh_from_db()
    return selectors.room_view(room, request.user)


def _list_rooms(request: HttpRequest, scope, response: HttpResponse) -> list[dict]:
    policies.require(request.user, Action.CLASSROOM_JOIN, scope)
    rooms = selectors.scope_classrooms(scope)
    topics = expose_heads(response, [room.topic for room in rooms])
    return [
        selectors.room_view(room, request.user) | {"topics": {room.topic: topics[room.topic]}}
        for room in rooms
    ]


@router.get("/sessions/{session_id}/classrooms", response=list[RoomOut])
def list_rooms(request: HttpRequest, session_id: Id, response: HttpResponse):
    return _list_rooms(request, parcours_selectors.get_session_scope(session_id), response)


@router.get("/spaces/{space_id}/classrooms", response=list[RoomOut])
def list_space_rooms(request: HttpRequest, space_id: Id, response: HttpResponse):
    return _list_rooms(request, parcours_selectors.get_space_scope(space_id), response)


@router.post("/sessions/{session_id}/classrooms", response={201: RoomOut})
def create_room(request: HttpRequest, session_id: Id, payload: RoomIn):
    scope = parcours_selectors.get_session_scope(session_id)
    room = services.create_room(scope=scope, actor=request.user, title=payload.title)
    return Status(201, selectors.room_view(room, request.user))


@router.post("/spaces/{space_id}/classrooms", response={201: RoomOut})
def create_space_room(request: HttpRequest, space_id: Id, payload: RoomIn):
    scope = parcours_selectors.get_space_scope(space_id)
    room = services.create_room(scope=scope, actor=request.user, title=payload.title)
    return Status(201, selectors.room_view(room, request.user))


@router.get("/classrooms/{classroom_id}", response=RoomOut)
def room_detail(request: HttpRequest, classroom_id: Id, response: HttpResponse):
    room = _room(request, classroom_id)
    selectors.entry_decision(request.user, room).raise_if_denied()
    activities.end_breakouts_if_due(room)
    topics = expose_heads(response, [room.topic])
    return _view(request, room) | {"topics": topics}


@router.post("/classrooms/{classroom_id}/open", response=RoomOut)
def open_room(request: HttpRequest, classroom_id: Id):
    room = services.open_room(room=_room(request, classroom_id), actor=request.user)
    return _view(request, room)


@router.post("/classrooms/{classroom_id}/start", response=RoomOut)
def start_class(request: HttpRequest, classroom_id: Id):
    room = services.start_class(room=_room(request, classroom_id), actor=request.user)
    return _view(request, room)


@router.post("/classrooms/{classroom_id}/end", response=RoomOut)
def end_class(request: HttpRequest, classroom_id: Id):
    room = services.end_class(room=_room(request, classroom_id), actor=request.user)
    return _view(request, room)


@router.patch("/classrooms/{classroom_id}", response=RoomOut)
def update_settings(request: HttpRequest, classroom_id: Id, payload: SettingsIn):
    room = _room(request, classroom_id)
    room = services.update_settings(room=room, actor=request.user, **payload.dict())
    return _view(request, room)


@router.put("/classrooms/{classroom_id}/presenter", response=RoomOut)
def set_presenter(request: HttpRequest, classroom_id: Id, payload: PresenterIn):
    room = _room(request, classroom_id)
    room = services.set_presenter(room=room, actor=request.user, user_id=payload.user_id)
    return _view(request, room)


# -- moderation on people -------------------------------------------------------------------

MODERATION = {
    "mute": services.mute,
    "stop-camera": services.stop_camera,
    "remove": services.remove,
    "admit": services.admit,
}


@router.post("/classrooms/{classroom_id}/participants/{user_id}/{action}", response={204: None})
def moderate(request: HttpRequest, classroom_id: Id, user_id: Id, action: QueryText):
    service = MODERATION.get(action)
    if service is None:
        raise services.invalid("action", f"Action inconnue : « {action[:40]} ».")
    service(room=_room(request, classroom_id), actor=request.user, user_id=user_id)
    return Status(204, None)


@router.post("/classrooms/{classroom_id}/mute-all", response={204: None})
def mute_everyone(request: HttpRequest, classroom_id: Id):
    services.mute_everyone(room=_room(request, classroom_id), actor=request.user)
    return Status(204, None)


@router.post("/classrooms/{classroom_id}/me/unmute", response={204: None})
def unmute_self(request: HttpRequest, classroom_id: Id):
    services.unmute_self(room=_room(request, classroom_id), actor=request.user)
    return Status(204, None)


@router.post("/classrooms/{classroom_id}/me/camera", response={204: None})
def restart_camera(request: HttpRequest, classroom_id: Id):
    services.restart_camera(room=_room(request, classroom_id), actor=request.user)
    return Status(204, None)


@router.post("/classrooms/{classroom_id}/knock", response={204: None})
def knock(request: HttpRequest, classroom_id: Id):
    services.knock(room=_room(request, classroom_id), actor=request.user)
    return Status(204, None)


# -- hands, reactions, chat -----------------------------------------------------------------


@router.put("/classrooms/{classroom_id}/hand", response={204: None})
def set_hand(request: HttpRequest, classroom_id: Id, payload: HandIn):
    room = _room(request, classroom_id)
    services.set_hand(room=room, actor=request.user, raised=payload.raised)
    return Status(204, None)


@router.delete("/classrooms/{classroom_id}/hands/{user_id}", response={204: None})
def lower_hand(request: HttpRequest, classroom_id: Id, user_id: Id):
    room = _room(request, classroom_id)
    services.set_hand(room=room, actor=request.user, raised=False, user_id=user_id)
    return Status(204, None)


@router.post("/classrooms/{classroom_id}/reactions", response={204: None})
def react(request: HttpRequest, classroom_id: Id, payload: ReactionIn):
    services.react(room=_room(request, classroom_id), actor=request.user, emoji=payload.emoji)
    return Status(204, None)


@router.get("/classrooms/{classroom_id}/chat", response=list[ChatOut])
def chat(request: HttpRequest, classroom_id: Id, response: HttpResponse):
    room = _room(request, classroom_id)
    selectors.entry_decision(request.user, room).raise_if_denied()
    expose_heads(response, [room.topic])
    return [
        {
            "message_id": m.pk,
            "author_id": m.author_id,
            "author": selectors.person(m.author)["name"],
            "body": m.body,
            "sent_at": m.sent_at,
        }
        for m in selectors.chat_lines(room)
    ]


@router.post("/classrooms/{classroom_id}/chat", response={201: ChatOut})
def post_chat(request: HttpRequest, classroom_id: Id, payload: ChatIn):
    room = _room(request, classroom_id)
    message = services.post_chat(room=room, actor=request.user, body=payload.body)
    return Status(
        201,
        {
            "message_id": message.pk,
            "author_id": message.author_id,
            "author": selectors.person(request.user)["name"],
            "body": message.body,
            "sent_at": message.sent_at,
        },
    )


@router.delete("/classrooms/chat/{message_id}", response={204: None})
def delete_chat(request: HttpRequest, message_id: Id):
    message = selectors.get_chat_message(message_id)
    services.delete_chat(message=message, actor=request.user)
    return Status(204, None)


# -- quick polls, breakouts, agenda ---------------------------------------------------------


@router.post("/classrooms/{classroom_id}/polls", response={201: PollOut})
def open_poll(request: HttpRequest, classroom_id: Id, payload: PollIn):
    room = _room(request, classroom_id)
    poll = activities.open_poll(room=room, actor=request.user, **payload.dict())
    return Status(201, selectors.poll_view_for(poll, request.user, moderator=True))


@router.get("/classrooms/polls/{poll_id}", response=PollOut)
def poll_detail(request: HttpRequest, poll_id: Id):
    poll = selectors.get_poll(poll_id)
    who = selectors.standing(request.user, poll.classroom)
    selectors.entry_decision(request.user, poll.classroom).raise_if_denied()
    return selectors.poll_view_for(poll, request.user, moderator=who.moderator)


@router.put("/classrooms/polls/{poll_id}/answer", response={204: None})
def answer_poll(request: HttpRequest, poll_id: Id, payload: PollAnswerIn):
    poll = selectors.get_poll(poll_id)
    activities.answer_poll(poll=poll, actor=request.user, choices=payload.choices)
    return Status(204, None)


@router.post("/classrooms/polls/{poll_id}/close", response={204: None})
def close_poll(request: HttpRequest, poll_id: Id):
    activities.close_poll(poll=selectors.get_poll(poll_id), actor=request.user)
    return Status(204, None)


@router.post("/classrooms/{classroom_id}/breakouts", response={201: dict[int, int]})
def start_breakouts(request: HttpRequest, classroom_id: Id, payload: BreakoutIn):
    room = _room(request, classroom_id)
    groups = activities.start_breakouts(room=room, actor=request.user, **payload.dict())
    return Status(201, groups)


@router.delete("/classrooms/{classroom_id}/breakouts", response={204: None})
def end_breakouts(request: HttpRequest, classroom_id: Id):
    activities.end_breakouts(room=_room(request, classroom_id), actor=request.user)
    return Status(204, None)


@router.post("/classrooms/{classroom_id}/breakouts/visit", response={204: None})
def visit(request: HttpRequest, classroom_id: Id, payload: VisitIn):
    room = _room(request, classroom_id)
    activities.visit(room=room, actor=request.user, group=payload.group)
    return Status(204, None)


@router.post("/classrooms/{classroom_id}/agenda/next", response={204: None})
def next_segment(request: HttpRequest, classroom_id: Id):
    activities.next_segment(room=_room(request, classroom_id), actor=request.user)
    return Status(204, None)
