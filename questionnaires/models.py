"""Questionnaires of a session: the positioning quiz, the end-of-training evaluation.

Trust frame: a questionnaire is anonymous unless its trainer made it nominative when
creating it (the choice is shown to participants before they answer, and never changes).
An anonymous response carries no user and a random id, so that neither a link nor an id
order ties it to a person; who has answered is kept apart (`Answered`), without the
answers, so that each participant answers once. Nothing here stores a time.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.models import Activity, Session


class Questionnaire(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="questionnaires")
    # The activity of the parcours it fills, when there is one.
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=200)
    nominative = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("choix unique")
        MULTIPLE = "multiple", _("choix multiples")
        TEXT = "text", _("réponse libre")

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveIntegerField()
    text = models.CharField(max_length=1000)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The proposed answers of a multiple-choice question, in order (empty for free text).
    choices = models.JSONField(default=list)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class Response(models.Model):
    """One participant's answers: {question id: [choice indexes] or "text"}."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="responses"
    )
    # Set only when the questionnaire is nominative.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    answers = models.JSONField()


class Answered(models.Model):
    """That someone answered a questionnaire (so they answer once), never what."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="answered"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "user"], name="answer_once"),
        ]
