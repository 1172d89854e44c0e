"""Working hours, time-slot polls, scheduled classes and "entre pairs" series.

Trust frame: nothing here records when someone answered or looked. A ballot keeps a
person's answers and comment, never a time; the dates stored are content (the slots a
trainer proposes, a class's start and end, a poll's closing date).

Scheduled classes and series belong to a scope (a session or a collaborative space, see
`parcours.models.Scope`) and follow the calendar of its academy; polls belong to a session.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.models import Academy, Scope, Session

from . import calendar


class WorkingHours(models.Model):
    """An academy's working days and hours, when they differ from the national default."""

    academy = models.OneToOneField(Academy, on_delete=models.CASCADE, related_name="working_hours")
    # ISO weekdays as digits, Monday = 0: "01234" is Monday to Friday.
    working_days = models.CharField(max_length=7, default="01234")
    day_start = models.TimeField(default=calendar.DEFAULT_DAY_START)
    day_end = models.TimeField(default=calendar.DEFAULT_DAY_END)

    class Meta:
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(day_end__gt=models.F("day_start")),
                name="working_hours_end_after_start",
            ),
        ]


class Series(models.Model):
    """A recurring meetup ("entre pairs"): one rule, one scheduled class per occurrence."""

    scope = models.ForeignKey(Scope, on_delete=models.CASCADE, related_name="series")
    title = models.CharField(max_length=200)
    first_day = models.DateField()
    until = models.DateField()
    interval_weeks = models.PositiveSmallIntegerField(default=2)
    start_time = models.TimeField()
    minutes = models.PositiveSmallIntegerField()
    timezone = models.CharField(max_length=64)
    agenda = models.JSONField(default=list)

    class Meta:
        verbose_name_plural = "series"


class ScheduledClass(models.Model):
    """A live class at a set time. The virtual classroom opens a room for it later."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("prévue")
        CANCELLED = "cancelled", _("annulée")

    scope = models.ForeignKey(Scope, on_delete=models.CASCADE, related_name="scheduled_classes")
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.CASCADE, related_name="occurrences"
    )
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    timezone = models.CharField(max_length=64)
    # Agenda segments: [{"title": "Présentation", "minutes": 15}, ...]
    agenda = models.JSONField(default=list)
    state = models.CharField(max_length=16, choices=State.choices, default=State.SCHEDULED)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="scheduled_class_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def minutes(self) -> int:
        return calendar.duration_minutes(self.starts_at, self.ends_at)


class Poll(models.Model):
    """A trainer's proposal of several slots, answered by the session's members."""

    class State(models.TextChoices):
        OPEN = "open", _("ouvert")
        CLOSED = "closed", _("clos")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="polls")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    hide_results = models.BooleanField(default=False)
    # Said at creation and told to those who answer: only then does the export name people
    # (the platform allows no other nominative export than participant lists and attestations).
    nominative = models.BooleanField(default=False)
    # Set by the trainer: answers stop at this time, as if the poll had been closed.
    closes_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    scheduled_class = models.OneToOneField(
        ScheduledClass, null=True, blank=True, on_delete=models.SET_NULL, related_name="poll"
    )

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.title

    def accepts_answers(self, now=None) -> bool:
        now = now or timezone.now()
        return self.state == self.State.OPEN and (self.closes_at is None or self.closes_at > now)


class PollSlot(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    seat_limit = models.PositiveIntegerField(null=True, blank=True)
    chosen = models.BooleanField(default=False)

    class Meta:
        ordering = ["starts_at", "id"]


class Ballot(models.Model):
    """One member's answers to one poll, and their comment. Deliberately without a time."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="poll_ballots"
    )
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "user"], name="unique_ballot"),
        ]


class Answer(models.Model):
    class Choice(models.TextChoices):
        YES = "yes", _("oui")
        MAYBE = "maybe", _("si besoin")
        NO = "no", _("non")

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="answers")
    slot = models.ForeignKey(PollSlot, on_delete=models.CASCADE, related_name="answers")
    choice = models.CharField(max_length=8, choices=Choice.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ballot", "slot"], name="unique_answer"),
        ]


class CalendarFeed(models.Model):
    """A member's private calendar address: the classes of their sessions and spaces, read by
    calendar applications that cannot log in. The secret is the URL's last part; only its
    hash is kept (it is shown once), and its owner may revoke or replace it. No time kept.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    key_hash = models.CharField(max_length=64, unique=True)

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
