"""Pages: the classroom, and the way in from a scheduled class."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from parcours import policies
from parcours.errors import ServiceError
from parcours.policies import Action
from realtime.selectors import last_seq
from scheduling import selectors as scheduling_selectors

from . import selectors, services


def _denied(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return render(request, "parcours/denied.html", {"error": exc}, status=exc.http_status)


@login_required
def class_room(request: HttpRequest, class_id: int) -> HttpResponse:
    try:
        scheduled = scheduling_selectors.get_scheduled_class(class_id)
        policies.require(request.user, Action.CLASSROOM_JOIN, scheduled.scope)
    except ServiceError as exc:
        return _denied(request, exc)
    return redirect("classrooms:room", services.room_for_class(scheduled).pk)


@login_required
def room_page(request: HttpRequest, classroom_id: int) -> HttpResponse:
    try:
        room = selectors.get_classroom(classroom_id)
        policies.require(request.user, Action.CLASSROOM_JOIN, room.scope)
    except ServiceError as exc:
        return _denied(request, exc)
    entry = selectors.entry_decision(request.user, room)
    # Read before the room's state: later frames are replayed to the page.
    since = last_seq(room.topic)
    return render(
        request,
        "classrooms/room.html",
        {
            "room": room,
            "scope": room.scope,
            "since": since,
            "entry": entry,
            "view": selectors.room_view(room, request.user) if entry else None,
            "chat": selectors.chat_lines(room) if entry else [],
            "reactions": services.REACTIONS,
            # The browser's STUN/TURN list: the same servers as the SFU's.
            "ice_servers": settings.CLASSROOM_ICE_SERVERS,
        },
    )
