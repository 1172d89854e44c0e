"""Virtual classrooms: the live room of a scheduled class (of a session or a space), or an
ad-hoc room of a session.

Trust frame: who is in the room now is live presence (the gateway's, in memory or Redis),
never a row. A `Seat` exists only while the class runs and only for someone a moderator or
the rules had to remember (admitted from the waiting room, muted, removed, a raised hand,
a breakout group); every seat is deleted when the class ends, so no attendance is kept. The
times stored are content: the class's agenda clock, a chat line's time shown to the class.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.models import Scope


class Classroom(models.Model):
    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("prévue")
        OPEN = "open", _("ouverte (accueil)")
        LIVE = "live", _("en cours")
        ENDED = "ended", _("terminée")

    # Who may come in, moderate and record: the members and roles of this session or space.
    scope = models.ForeignKey(Scope, on_delete=models.CASCADE, related_name="classrooms")
    # The scheduled class this room is the live side of; empty for an ad-hoc room.
    scheduled_class = models.OneToOneField(
        "scheduling.ScheduledClass",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="classroom",
    )
    title = models.CharField(max_length=200)
    state = models.CharField(max_length=16, choices=State.choices, default=State.SCHEDULED)

    # Moderation of the whole room.
    locked = models.BooleanField(default=False)
    waiting_room = models.BooleanField(default=False)
    chat_locked = models.BooleanField(default=False)
    cameras_locked = models.BooleanField(default=False)
    self_unmute_forbidden = models.BooleanField(default=False)
    # Each "mute everyone" raises this; a seat whose `unmuted_at_epoch` is lower is muted.
    mute_epoch = models.PositiveIntegerField(default=0)
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The next number of the hand queue (hands are ordered by number, not by time).
    next_hand = models.PositiveIntegerField(default=1)

    # Agenda: the current segment of the scheduled class's agenda and when it began.
    segment = models.PositiveSmallIntegerField(default=0)
    segment_started_at = models.DateTimeField(null=True, blank=True)

    # Breakout rooms: how many, and when everyone is brought back.
    breakout_groups = models.PositiveSmallIntegerField(default=0)
    breakout_ends_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title

    @property
    def topic(self) -> str:
        return f"classroom:{self.pk}"

    @property
    def is_running(self) -> bool:
        return self.state in (self.State.OPEN, self.State.LIVE)


class Seat(models.Model):
    """What the room must remember about one person while the class runs (see module doc)."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="seats")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    waiting = models.BooleanField(default=False)
    admitted = models.BooleanField(default=False)
    removed = models.BooleanField(default=False)
    mic_muted = models.BooleanField(default=False)
    unmuted_at_epoch = models.PositiveIntegerField(default=0)
    camera_stopped = models.BooleanField(default=False)
    hand = models.PositiveIntegerField(null=True, blank=True)
    # Breakout group number (1..n), or None in the main room.
    group = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["classroom", "user"], name="unique_seat"),
        ]


class ChatMessage(models.Model):
    """A durable line of the in-class chat (replayed on reconnect, kept with the class)."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="classroom_messages"
    )
    body = models.TextField()
    sent_at = models.DateTimeField(default=timezone.now)
    deleted = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]


class QuickPoll(models.Model):
    """A question a moderator asks the class, answered in the room."""

    class State(models.TextChoices):
        OPEN = "open", _("ouvert")
        CLOSED = "closed", _("clos")

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="polls")
    question = models.CharField(max_length=300)
    choices = models.JSONField()
    multiple = models.BooleanField(default=False)
    # Anonymous by default: nobody, moderators included, sees who answered what.
    anonymous = models.BooleanField(default=True)
    results_public = models.BooleanField(default=False)
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)

    class Meta:
        ordering = ["id"]


class QuickPollAnswer(models.Model):
    poll = models.ForeignKey(QuickPoll, on_delete=models.CASCADE, related_name="answers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    choices = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "user"], name="unique_quick_poll_answer"),
        ]
