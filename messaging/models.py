"""Direct messages between members of a session they share, and their attachments.

A message names the session (hence the parcours) it relates to. Its sent time is part of
its content, shown to its recipients (listed in `parcours/trust.py`); nothing records when it
was read.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from parcours.attachments import AttachmentBase
from parcours.models import Session


class Message(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_messages"
    )
    body = models.TextField()
    # The message this one answers, in the same session (a conversation's thread).
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-id"]


class Recipient(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="received_messages"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "user"], name="unique_message_recipient"),
        ]


class Attachment(AttachmentBase):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
