"""Direct messages over HTTP: `GET/POST /api/v1/messages`."""

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from parcours import selectors as parcours_selectors
from parcours.attachments import file_response, upload_route
from parcours.inputs import Id
from realtime.heads import expose_heads

from . import selectors, services
from .events import AttachmentData, MessageData

router = Router()


class MessageIn(Schema):
    # A reply names the message it answers and stays in its session.
    session_id: Id | None = None
    reply_to: Id | None = None
    recipient_ids: Annotated[list[Id], Field(min_length=1, max_length=services.MAX_RECIPIENTS)]
    body: Annotated[str, Field(min_length=1, max_length=5000)]


class ConversationOut(Schema):
    user_id: int
    name: str
    session_title: str
    last_body: str
    last_from_me: bool
    sent_at: datetime


class MessageFilters(Schema):
    session_id: Id | None = None
    with_user: Id | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50


@router.get("/messages", response=list[MessageData])
def list_messages(request: HttpRequest, filters: Query[MessageFilters], response: HttpResponse):
    # Messages reach their recipients and their sender on their own topics.
    expose_heads(response, [f"user:{request.user.pk}"])
    found = selectors.messages_of(
        request.user, session_id=filters.session_id, with_user=filters.with_user
    )
    return [selectors.message_data(m) for m in found[: filters.limit]]


@router.get("/messages/conversations", response=list[ConversationOut])
def list_conversations(request: HttpRequest, response: HttpResponse):
    """The people one has exchanged messages with, the latest exchange first."""
    expose_heads(response, [f"user:{request.user.pk}"])
    return selectors.conversations(request.user)


@router.post("/messages", response={201: MessageData})
def send_message(request: HttpRequest, payload: MessageIn):
    session = parcours_selectors.get_session(payload.session_id) if payload.session_id else None
    message = services.send_message(
        sender=request.user,
        session=session,
        recipient_ids=payload.recipient_ids,
        body=payload.body,
        reply_to=payload.reply_to,
    )
    return Status(201, selectors.message_data(message))


@router.post(
    "/messages/{message_id}/attachments",
    response={201: AttachmentData},
    openapi_extra=upload_route(services.MAX_ATTACHMENT_BYTES),
)
def add_attachment(request: HttpRequest, message_id: Id, file: File[UploadedFile]):
    attachment = services.add_attachment(message_id=message_id, sender=request.user, upload=file)
    return Status(201, selectors.attachment_data(attachment))


@router.get("/message-attachments/{attachment_id}", url_name="message_attachment")
def download_attachment(request: HttpRequest, attachment_id: Id):
    attachment = selectors.readable_attachment(attachment_id, request.user)
    return file_response(attachment)
