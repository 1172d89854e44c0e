"""Recordings of virtual classes: one row per segment, one file per row.

Trust frame: a recording belongs to a session or a space (its scope), never to a person. It
keeps when the class was recorded (content shown to its viewers) and no trace of who
started, stopped or watched it; `tests/parcours/test_no_tracking.py` walks this model like
every other.
"""

from __future__ import annotations

import uuid

from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.db import models
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _

from parcours.models import Scope


class _RecordingsStorage(LazyObject):
    """The "recordings" storage of settings, looked up on first use, and again whenever
    `STORAGES` changes (a field's storage is otherwise fixed when the model is defined)."""

    def _setup(self) -> None:
        self._wrapped = storages["recordings"]


_storage = _RecordingsStorage()


def _storages_changed(*, setting: str, **kwargs) -> None:
    if setting == "STORAGES":
        _storage._wrapped = empty


setting_changed.connect(_storages_changed)


def recordings_storage():
    """MEDIA_ROOT by default, or a bucket through django-storages (see settings)."""
    return _storage


def stored_name(instance: Recording, filename: str) -> str:
    # A random name: nothing about the session or the class can be read from it.
    return f"recordings/{uuid.uuid4().hex}.webm"


class Recording(models.Model):
    class State(models.TextChoices):
        RECORDING = "recording", _("enregistrement en cours")
        READY = "ready", _("disponible")
        FAILED = "failed", _("échec de l'enregistrement")

    # Its members, and only they, watch it.
    scope = models.ForeignKey(Scope, on_delete=models.CASCADE, related_name="recordings")
    # The class it was recorded in (its series groups "entre pairs" meetups).
    scheduled_class = models.ForeignKey(
        "scheduling.ScheduledClass",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recordings",
    )
    # The live room the segment was recorded in (its `classroom:<id>` topic).
    room_id = models.PositiveBigIntegerField(null=True, blank=True)
    title = models.CharField(max_length=200)
    state = models.CharField(max_length=16, choices=State.choices, default=State.RECORDING)
    started_at = models.DateTimeField(default=timezone.now)
    seconds = models.FloatField(default=0)
    size = models.PositiveBigIntegerField(default=0)
    file = models.FileField(storage=recordings_storage, upload_to=stored_name, blank=True)
    content_type = models.CharField(max_length=64, default="video/webm")
    # While recording: the local file the recorder writes, and until when its host vouches
    # for it (renewed as it writes); past that, the host is presumed dead and the segment is
    # salvaged or marked failed.
    spool_path = models.CharField(max_length=500, blank=True)
    alive_until = models.DateTimeField(null=True, blank=True)
    # Why a segment failed, or that it was cut short and salvaged.
    note = models.CharField(max_length=300, blank=True)
    # The trainers' retention period ends here; `purge_recordings` deletes it afterwards.
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["state", "alive_until"])]

    def __str__(self) -> str:
        return self.title

    def has_expired(self, today=None) -> bool:
        return self.expires_on is not None and self.expires_on < (today or timezone.localdate())
