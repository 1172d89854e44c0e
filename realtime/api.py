"""The bell's API: `GET /me/notifications` pages through a person's notifications (see
`notifications.py`), `PUT /me/notifications/read` moves their read marker (a seq)."""

from typing import Annotated

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from pydantic import StrictInt

from . import notifications
from .heads import put_heads

router = Router()

Seq = Annotated[int, Field(ge=0, lt=2**63)]
# In a body: a JSON number, not a string that looks like one.
StrictSeq = Annotated[StrictInt, Field(ge=0, lt=2**63)]


class NotificationOut(Schema):
    seq: int
    type: str
    text: str
    link: str
    about: dict[str, int | None]
    unread: bool


class NotificationsOut(Schema):
    items: list[NotificationOut]
    # The marker: notifications up to this seq have been read.
    read_seq: int
    unread: int
    # `before` for the next, older page (null: none).
    next_before: int | None
    # The event types that are notifications: a live frame of one of them rings the bell.
    types: list[str]
    # Heads of the topics this state depends on: subscribe with `since` from them.
    topics: dict[str, int]


class PageQuery(Schema):
    before: Seq | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 20


class ReadIn(Schema):
    seq: StrictSeq


class ReadOut(Schema):
    read_seq: int
    unread: int


@router.get("/me/notifications", response=NotificationsOut)
def list_notifications(request: HttpRequest, query: Query[PageQuery], response: HttpResponse):
    user_id = request.user.pk
    found = notifications.page(user_id, before=query.before, limit=query.limit)
    topics = {f"user:{user_id}": found.head}  # read by `page` before its items
    put_heads(response, topics)
    return {
        "items": [
            {
                "seq": item.seq,
                "type": item.type,
                "text": item.notice.text,
                "link": item.notice.link,
                "about": item.notice.about,
                "unread": item.seq > found.read_seq,
            }
            for item in found.items
        ],
        "read_seq": found.read_seq,
        "unread": found.unread,
        "next_before": found.next_before,
        "types": notifications.notification_types(),
        "topics": topics,
    }


@router.put("/me/notifications/read", response=ReadOut)
def read_notifications(request: HttpRequest, payload: ReadIn):
    read = notifications.mark_read(actor=request.user, seq=payload.seq)
    return {"read_seq": read, "unread": notifications.page(request.user.pk, limit=1).unread}
