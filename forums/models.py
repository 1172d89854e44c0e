"""Forums, discussions, posts, likes, favourites, subscriptions, read marks, moderation log.

A forum belongs to a scope: a session or a collaborative space (`parcours.models.Scope`),
and every rule asks `parcours.policies` about that scope. Trust frame: read tracking keeps
the last read post id, never a time; likes, favourites and subscriptions carry no timestamp.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.attachments import AttachmentBase
from parcours.models import Scope


class Forum(models.Model):
    class Kind(models.TextChoices):
        STANDARD = "standard", _("forum standard")
        SINGLE = "single", _("discussion unique")
        QA = "qa", _("questions-réponses")
        NEWS = "news", _("annonces")

    scope = models.ForeignKey(Scope, on_delete=models.CASCADE, related_name="forums")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.STANDARD)
    position = models.PositiveIntegerField(default=0)
    # The forum activity of the parcours this forum is, in its session (`activities.py`).
    activity = models.ForeignKey(
        "parcours.Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Discussion(models.Model):
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="discussions")
    title = models.CharField(max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    pinned = models.BooleanField(default=False)
    locked = models.BooleanField(default=False)

    class Meta:
        # Lists put the latest activity first (`selectors.discussions`): derived from the
        # posts' ids, so that no time is stored and replies never queue on this row.
        ordering = ["-pinned", "-id"]

    def __str__(self) -> str:
        return self.title


class Post(models.Model):
    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="posts")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    quote_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="forum_posts"
    )
    # Sanitised HTML (nh3), never raw input.
    body = models.TextField()
    word_count = models.PositiveIntegerField(default=0)
    # Only its author and the session's trainers and tutors see a private reply, and the
    # author of the private reply it answers, if any.
    private = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    edited_by_moderator = models.BooleanField(default=False)
    # Highest like count already announced to the author: notifications come in batches.
    likes_announced = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["discussion", "id"])]

    def __str__(self) -> str:
        return f"Post {self.pk} in {self.discussion_id}"


class Attachment(AttachmentBase):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")


class Like(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="unique_like")]


class Favourite(models.Model):
    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="favourites")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["discussion", "user"], name="unique_favourite")
        ]


class Subscription(models.Model):
    """A member follows a whole forum or one discussion (exactly one of the two)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    forum = models.ForeignKey(
        Forum, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    discussion = models.ForeignKey(
        Discussion, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(forum__isnull=True) ^ models.Q(discussion__isnull=True),
                name="subscription_one_target",
            ),
            models.UniqueConstraint(fields=["user", "forum"], name="unique_forum_subscription"),
            models.UniqueConstraint(
                fields=["user", "discussion"], name="unique_discussion_subscription"
            ),
        ]


class ReadMark(models.Model):
    """How far a member has read a discussion: a post id, never a time (trust frame)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="+")
    last_read_post_id = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "discussion"], name="unique_read_mark")
        ]


class ModerationEntry(models.Model):
    """One moderation act, for the trainers (or animators) of the forum's scope to read."""

    class Act(models.TextChoices):
        PIN = "pin", _("épinglée")
        UNPIN = "unpin", _("désépinglée")
        LOCK = "lock", _("verrouillée")
        UNLOCK = "unlock", _("déverrouillée")
        HIDE = "hide", _("message masqué")
        UNHIDE = "unhide", _("message rétabli")
        EDIT = "edit", _("message modifié")
        DELETE_POST = "delete_post", _("message supprimé")
        DELETE_DISCUSSION = "delete_discussion", _("discussion supprimée")
        MOVE = "move", _("discussion déplacée")
        SPLIT = "split", _("fil scindé")

    scope = models.ForeignKey(
        Scope, null=True, on_delete=models.CASCADE, related_name="forum_moderation"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    act = models.CharField(max_length=24, choices=Act.choices)
    # Plain references and a summary: the log outlives the posts it speaks of.
    forum_id_ref = models.PositiveBigIntegerField(null=True)
    discussion_id_ref = models.PositiveBigIntegerField(null=True)
    post_id_ref = models.PositiveBigIntegerField(null=True)
    summary = models.CharField(max_length=300)
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "moderation entries"
