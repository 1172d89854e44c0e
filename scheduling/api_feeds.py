"""A member's private calendar address: `GET/POST/DELETE /me/calendar-feed` to see, issue
(or replace) and revoke it, `GET /calendar/{key}.ics` for calendar applications."""

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router, Schema, Status

from parcours.errors import ErrorCode, ServiceError
from parcours.inputs import QueryText

from . import feeds, ics

router = Router()
ICS_TYPE = "text/calendar; charset=utf-8"


class FeedOut(Schema):
    active: bool
    # The address, shown once when it is issued: only its hash is kept.
    url: str | None = None


def feed_url(request: HttpRequest, key: str) -> str:
    return request.build_absolute_uri(reverse("api:calendar_feed", kwargs={"key": key}))


@router.get("/me/calendar-feed", response=FeedOut)
def my_feed(request: HttpRequest):
    return {"active": feeds.has_feed(request.user)}


@router.post("/me/calendar-feed", response={201: FeedOut})
def issue_feed(request: HttpRequest):
    key = feeds.issue_feed(actor=request.user)
    return Status(201, {"active": True, "url": feed_url(request, key)})


@router.delete("/me/calendar-feed", response={204: None})
def revoke_feed(request: HttpRequest):
    feeds.revoke_feed(actor=request.user)
    return Status(204, None)


@router.get("/calendar/{key}.ics", auth=None, url_name="calendar_feed")
def calendar_feed(request: HttpRequest, key: QueryText):
    """The secret in the URL is the only credential: a revoked or unknown one is a 404."""
    owner = feeds.feed_owner(key)
    if owner is None:
        raise ServiceError(ErrorCode.NOT_FOUND, "Agenda introuvable.", {"resource": "agenda"})
    items = feeds.feed_items(owner, absolute=request.build_absolute_uri)
    body = ics.member_feed(items, uid_domain=request.get_host())
    response = HttpResponse(body, content_type=ICS_TYPE)
    response["Cache-Control"] = "private, no-store"
    return response
