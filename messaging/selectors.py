"""Reads of a person's messages: only those they sent or received."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.urls import reverse

from parcours.errors import not_found
from parcours.selectors import display_name, members, memberships_of

from .models import Attachment, Message


def messages_of(user, *, session_id: int | None = None, with_user: int | None = None):
    """Messages `user` sent or received, newest first, ready to serialise."""
    found: QuerySet[Message] = Message.objects.filter(
        Q(sender=user) | Q(recipients__user=user)
    ).distinct()
    if session_id is not None:
        found = found.filter(session_id=session_id)
    if with_user is not None:
        found = found.filter(Q(sender_id=with_user) | Q(recipients__user_id=with_user))
    return found.select_related("sender", "session__parcours").prefetch_related(
        "recipients", "attachments"
    )


def attachment_data(attachment: Attachment) -> dict:
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "size": attachment.size,
        "url": reverse("api:message_attachment", kwargs={"attachment_id": attachment.pk}),
    }


def message_data(message: Message) -> dict:
    """The one shape of a message, for the API and for the realtime event alike."""
    return {
        "id": message.pk,
        "session_id": message.session_id,
        "parcours": message.session.parcours.title,
        "sender_id": message.sender_id,
        "sender_name": display_name(message.sender),
        "recipient_ids": sorted(r.user_id for r in message.recipients.all()),
        "body": message.body,
        "sent_at": message.sent_at,
        "attachments": [attachment_data(a) for a in message.attachments.all()],
    }


def readable_attachment(attachment_id: int, user) -> Attachment:
    """An attachment of a message `user` sent or received; not found for anyone else."""
    attachment = (
        Attachment.objects.filter(pk=attachment_id)
        .filter(Q(message__sender=user) | Q(message__recipients__user=user))
        .first()
    )
    if attachment is None:
        raise not_found("pièce jointe", attachment_id)
    return attachment


def contacts(user) -> list[dict]:
    """For each session `user` belongs to, the other members they could write to."""
    return [
        {
            "session_id": membership.session_id,
            "title": f"{membership.session.title} · {membership.session.parcours.title}",
            "members": [
                {"id": other.user_id, "name": display_name(other.user)}
                for other in members(membership.session)
                if other.user_id != user.pk
            ],
        }
        for membership in memberships_of(user)
    ]
