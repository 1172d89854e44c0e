"""What members make together in a scope (a space, or a session's own space).

A co-edited document is a CRDT (Yjs in the browser, pycrdt on the server). Its rows are the
authority every server process reads from: a snapshot (the whole state, merged) and the log
of updates appended since, folded into the snapshot from time to time (`documents.compact`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.attachments import AttachmentBase


class Document(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", _("document")
        MINDMAP = "mindmap", _("carte mentale")

    scope = models.ForeignKey("parcours.Scope", on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TEXT)
    title = models.CharField(max_length=200)
    # Reserved: only the animators (EDIT_RESERVED) write; members read.
    reserved = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The merged state of every update up to `snapshot_upto` (a DocumentUpdate id).
    snapshot = models.BinaryField(default=b"")
    snapshot_upto = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class DocumentUpdate(models.Model):
    """One appended Yjs update (several edits merged by the process that received them)."""

    id = models.BigAutoField(primary_key=True)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="updates")
    data = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["document", "id"])]


class DocumentVersion(models.Model):
    """A named snapshot of a document, which its writers can restore."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    name = models.CharField(max_length=120)
    state = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class WordCloud(models.Model):
    """A question whose answers (a few words each) make a cloud; anonymous by default."""

    scope = models.ForeignKey(
        "parcours.Scope", on_delete=models.CASCADE, related_name="word_clouds"
    )
    question = models.CharField(max_length=300)
    max_words = models.PositiveSmallIntegerField(default=3)
    # Nominative clouds show the animators who wrote which word; members never see it.
    anonymous = models.BooleanField(default=True)
    closed = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]


class WordEntry(models.Model):
    """One word one member gave: an append-only log, never a shared counter (concurrent
    increments of a counter can lose votes; rows cannot). The author is kept to limit each
    member's words, and shown only in a nominative cloud."""

    cloud = models.ForeignKey(WordCloud, on_delete=models.CASCADE, related_name="entries")
    author = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="+")
    word = models.CharField(max_length=40)
    normal = models.CharField(max_length=40, db_index=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cloud", "author", "normal"], name="one_word_once_per_author"
            )
        ]


class HiddenWord(models.Model):
    """A word the animators took out of the cloud (its entries are kept)."""

    cloud = models.ForeignKey(WordCloud, on_delete=models.CASCADE, related_name="hidden")
    normal = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cloud", "normal"], name="hidden_once")]


class Resource(models.Model):
    """A file or a link shared in a space, for its members only."""

    class Kind(models.TextChoices):
        LINK = "link", _("lien")
        FILE = "file", _("fichier")

    scope = models.ForeignKey("parcours.Scope", on_delete=models.CASCADE, related_name="resources")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=2000, blank=True)
    # Who shared it: they (and the animators) may take it down.
    added_by = models.ForeignKey(
        "auth.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["title", "id"]


class ResourceFile(AttachmentBase):
    """The file of a `Resource` of kind file (parcours.attachments: one rule for uploads)."""

    resource = models.OneToOneField(Resource, on_delete=models.CASCADE, related_name="upload")
