"""Reads of a person's messages: only those they sent or received."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.urls import reverse

from parcours import policies
from parcours.errors import not_found
from parcours.selectors import display_name, members, memberships_of

from .models import Attachment, Message

# How far back the list of conversations looks: enough for a page, bounded for a trainer who
# writes to a whole session at once.
CONVERSATIONS_SCAN = 200


def _loaded(found: QuerySet[Message]) -> QuerySet[Message]:
    return found.select_related("sender", "session__parcours").prefetch_related(
        "recipients__user", "attachments"
    )


def messages_of(user, *, session_id: int | None = None, with_user: int | None = None):
    """Messages `user` sent or received, newest first, ready to serialise; with `with_user`,
    only their conversation with that person (what one wrote to the other)."""
    if with_user is not None:
        found = Message.objects.filter(
            Q(sender=user, recipients__user_id=with_user)
            | Q(sender_id=with_user, recipients__user=user)
        )
    else:
        found = Message.objects.filter(Q(sender=user) | Q(recipients__user=user))
    if session_id is not None:
        found = found.filter(session_id=session_id)
    return _loaded(found.distinct())


def readable_message(message_id: int, user) -> Message:
    """A message `user` sent or received; not found for anyone else."""
    message = messages_of(user).filter(pk=message_id).first()
    if message is None:
        raise not_found("message", message_id)
    return message


def people_of(message: Message) -> dict[int, object]:
    """Everyone a message is between: its sender and its recipients, by id."""
    people = {r.user_id: r.user for r in message.recipients.all()}
    people[message.sender_id] = message.sender
    return people


def _counterparts(message: Message, user) -> list:
    """Whom a message is an exchange with, seen from `user`."""
    if message.sender_id == user.pk:
        return [r.user for r in message.recipients.all()]
    return [message.sender]


def conversations(user) -> list[dict]:
    """The people `user` has exchanged messages with, the latest exchange first."""
    found: dict[int, dict] = {}
    for message in messages_of(user)[:CONVERSATIONS_SCAN]:
        for other in _counterparts(message, user):
            found.setdefault(
                other.pk,
                {
                    "user_id": other.pk,
                    "name": display_name(other),
                    "session_title": message.session.title,
                    "last_body": message.body,
                    "last_from_me": message.sender_id == user.pk,
                    "sent_at": message.sent_at,
                },
            )
    return list(found.values())


def exchange(user, other_id: int, *, limit: int) -> dict:
    """`user`'s conversation with one person: its latest `limit` messages in order, and the
    message a reply in place answers (none when `user` may no longer write to them there)."""
    found = list(messages_of(user, with_user=other_id)[:limit])
    if not found:
        raise not_found("conversation", other_id)
    latest = found[0]
    other = people_of(latest)[other_id]
    may_reply = policies.decide_direct_message(user, latest.session, [other]).allowed
    return {
        "user_id": other_id,
        "name": display_name(other),
        "messages": [message_data(m) for m in reversed(found)],
        "reply": {"reply_to": latest.pk, "session_title": latest.session.title}
        if may_reply
        else None,
    }


def attachment_data(attachment: Attachment) -> dict:
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "size": attachment.size,
        "url": reverse("api:message_attachment", kwargs={"attachment_id": attachment.pk}),
    }


def message_data(message: Message) -> dict:
    """The one shape of a message, for the API and for the realtime event alike."""
    recipients = sorted(message.recipients.all(), key=lambda r: r.user_id)
    return {
        "id": message.pk,
        "session_id": message.session_id,
        "session_title": message.session.title,
        "parcours": message.session.parcours.title,
        "sender_id": message.sender_id,
        "sender_name": display_name(message.sender),
        "recipient_ids": [r.user_id for r in recipients],
        "recipients": [{"id": r.user_id, "name": display_name(r.user)} for r in recipients],
        "body": message.body,
        "reply_to": message.reply_to_id,
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
    """For each session where `user` may write, the people they may write to there
    (`policies.message_reach`) and whether several at once."""
    found = []
    for membership in memberships_of(user):
        session = membership.session
        reach, several = policies.message_reach(user, session)
        if not reach:
            continue
        people = [
            {"id": other.user_id, "name": display_name(other.user)}
            for other in members(session)
            if other.user_id in reach
        ]
        found.append(
            {
                "session_id": session.pk,
                "title": session.title,
                "several": several,
                "members": people,
            }
        )
    return found
