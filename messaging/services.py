"""Sending direct messages and attaching files to them."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from parcours import policies
from parcours.attachments import save_upload
from parcours.errors import ErrorCode, ServiceError, not_found
from parcours.models import Session
from realtime import publish_many

from . import selectors
from .events import AttachmentAdded, AttachmentData, MessageReceived
from .models import Attachment, Message, Recipient

MAX_RECIPIENTS = 200
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024


def _everyone(message: Message) -> list[int]:
    """The topics a message goes to: its recipients' and its sender's (their other tabs)."""
    return sorted({message.sender_id, *(r.user_id for r in message.recipients.all())})


def _replied(reply_to: int | None, sender, session: Session | None) -> Message | None:
    """The message a reply answers: one the sender sent or received, in the session given."""
    if reply_to is None:
        if session is None:
            raise ServiceError(
                ErrorCode.INVALID, "Précisez la session du message.", {"field": "session_id"}
            )
        return None
    replied = selectors.readable_message(reply_to, sender)
    if session is not None and session.pk != replied.session_id:
        raise ServiceError(
            ErrorCode.INVALID,
            "Une réponse reste dans la session du message auquel elle répond.",
            {"field": "session_id"},
        )
    return replied


@transaction.atomic
def send_message(
    *,
    sender,
    session: Session | None = None,
    recipient_ids: list[int],
    body: str,
    reply_to: int | None = None,
) -> Message:
    """Write to one member of a common session, or (trainers) to a chosen list of them; a
    reply goes, in its message's session, to people of that message."""
    body = body.strip()
    if not body:
        raise ServiceError(ErrorCode.INVALID, "Le message est vide.", {"field": "body"})
    wanted = set(recipient_ids)
    if not 0 < len(wanted) <= MAX_RECIPIENTS:
        raise ServiceError(
            ErrorCode.INVALID,
            f"Entre 1 et {MAX_RECIPIENTS} destinataires.",
            {"field": "recipient_ids"},
        )
    replied = _replied(reply_to, sender, session)
    if replied is not None:
        session = replied.session
        if not wanted <= set(selectors.people_of(replied)) - {sender.pk}:
            raise ServiceError(
                ErrorCode.INVALID,
                "Une réponse va aux personnes du message auquel elle répond.",
                {"field": "recipient_ids"},
            )
    recipients = list(get_user_model().objects.filter(pk__in=wanted, is_active=True))
    if len(recipients) != len(wanted):
        missing = sorted(wanted - {r.pk for r in recipients})
        raise not_found("destinataire", missing[0])
    policies.decide_direct_message(sender, session, recipients).raise_if_denied()
    message = Message.objects.create(session=session, sender=sender, body=body, reply_to=replied)
    Recipient.objects.bulk_create([Recipient(message=message, user=r) for r in recipients])
    message = selectors.messages_of(sender).get(pk=message.pk)
    event = MessageReceived(**selectors.message_data(message))
    publish_many((f"user:{user_id}" for user_id in _everyone(message)), event)
    return message


@transaction.atomic
def add_attachment(*, message_id: int, sender, upload: UploadedFile) -> Attachment:
    """Attach a file to one's own message; only its sender and recipients can fetch it."""
    message = Message.objects.filter(pk=message_id, sender=sender).first()
    if message is None:
        raise not_found("message", message_id)
    attachment = save_upload(Attachment, upload, max_bytes=MAX_ATTACHMENT_BYTES, message=message)
    event = AttachmentAdded(
        message_id=message.pk, attachment=AttachmentData(**selectors.attachment_data(attachment))
    )
    publish_many((f"user:{user_id}" for user_id in _everyone(message)), event)
    return attachment
