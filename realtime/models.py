"""The outbox of durable events: a per-topic sequence and the frames kept for replay.

No row here names a time: a stored frame is content a client replays after a reconnect,
presence never reaches the database, and a person's notification marker is a position in
their own topic (trust frame).
"""

from django.conf import settings
from django.db import models


class TopicSequence(models.Model):
    """The last sequence number handed out on a topic."""

    topic = models.CharField(max_length=64, primary_key=True)
    last_seq = models.BigIntegerField(default=0)


class StoredEvent(models.Model):
    """A durable event, kept as the exact JSON frame clients receive, for replay.

    Written without a number (and its frame without `seq`) in the publishing transaction,
    numbered right after its commit (see `publishing._number`); readers only see numbered rows.
    """

    topic = models.CharField(max_length=64)
    seq = models.BigIntegerField(null=True)
    frame = models.TextField()

    class Meta:
        ordering = ["topic", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "seq"], name="unique_topic_seq"),
        ]
        indexes = [
            models.Index(
                fields=["topic", "id"],
                condition=models.Q(seq__isnull=True),
                name="waiting_events",
            ),
        ]


class NotificationsRead(models.Model):
    """How far a person has read their notifications: a sequence number of their `user:<id>`
    topic, never a time (trust frame: nothing records when anyone looked at anything)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    seq = models.BigIntegerField(default=0)
