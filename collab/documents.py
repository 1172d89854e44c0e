"""Co-edited documents: who may read and write, the stored state, named versions.

The stored state is the authority shared by every server process: a snapshot (every update
up to `snapshot_upto`, merged) and the updates appended since, in id order. A process that
holds a document live (`collab/rooms.py`) appends what its clients send and reads back what
the others appended; `compact` folds the log into the snapshot under a row lock, reading only
rows (never a process's memory), so no process's edits can be lost by another's compaction.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext
from pycrdt import Doc, get_state, merge_updates

from parcours import audit, policies
from parcours.errors import ErrorCode, ServiceError, not_found
from parcours.models import Scope
from parcours.policies import Action, Decision

from . import mindmaps, richtext
from .models import Document, DocumentUpdate, DocumentVersion

# An empty Yjs update (no structs, no deletions): what an idle client sends in sync step 2.
EMPTY_UPDATE = b"\x00\x00"
# The log is folded into the snapshot once it holds this many rows.
COMPACT_AFTER = 200


def _title(raw: str, field: str = "title", limit: int = 200) -> str:
    text = " ".join(str(raw).replace("\x00", "").split())
    if not text:
        raise ServiceError(ErrorCode.INVALID, gettext("Ce champ est vide."), {"field": field})
    if len(text) > limit:
        raise ServiceError(
            ErrorCode.INVALID,
            gettext("%(limit)s caractères au plus.") % {"limit": limit},
            {"field": field},
        )
    return text


# -- who may ---------------------------------------------------------------------------------


def read_decision(user, document: Document) -> Decision:
    return policies.decide(user, Action.READ_CONTRIBUTIONS, document.scope)


def write_decision(user, document: Document) -> Decision:
    """Members write (CONTRIBUTE, frozen with the space); a reserved document is the
    animators' (EDIT_RESERVED) and the members read it."""
    decision = policies.decide(user, Action.CONTRIBUTE, document.scope)
    if decision and document.reserved:
        return policies.decide(user, Action.EDIT_RESERVED, document.scope)
    return decision


def get_document(document_id: int) -> Document:
    found = (
        Document.objects.select_related(
            "scope__session__academy", "scope__space__session", "scope__space__academy"
        )
        .filter(pk=document_id)
        .first()
    )
    if found is None:
        raise not_found("document", document_id)
    return found


def readable_document(user, document_id: int) -> Document:
    """A document `user` may read (opened over the API or its live socket); read under an
    administrator's access grant, it goes to the session's audit log."""
    document = get_document(document_id)
    decision = read_decision(user, document)
    decision.raise_if_denied()
    audit.record_read(actor=user, decision=decision, kind="document", object_id=document_id)
    return document


def rights_of(document_id: int, user_ids: set[int]) -> dict[int, tuple[bool, bool]]:
    """(may read, may write) of each of these people, asked again for live sockets."""
    from django.contrib.auth import get_user_model

    try:
        document = get_document(document_id)
    except ServiceError:
        return {}
    people = get_user_model().objects.filter(pk__in=user_ids, is_active=True)
    return {
        user.pk: (bool(read_decision(user, document)), bool(write_decision(user, document)))
        for user in people
    }


def documents_in(user, scope: Scope, kind: str | None = None) -> list[Document]:
    """The scope's documents, for someone who may read the scope's contributions."""
    policies.require(user, Action.READ_CONTRIBUTIONS, scope)
    found = list(
        Document.objects.filter(scope=scope, **({"kind": kind} if kind else {})).defer("snapshot")
    )
    for document in found:
        document.scope = scope  # loaded with its owner once, for every decision
    return found


def get_version(document: Document, version_id: int) -> DocumentVersion:
    version = document.versions.filter(pk=version_id).first()
    if version is None:
        raise not_found("version", version_id)
    version.document = document
    return version


# -- writes -----------------------------------------------------------------------------------


@transaction.atomic
def create_document(
    *, actor, scope: Scope, title: str, kind: str = Document.Kind.TEXT, reserved: bool = False
) -> Document:
    """Members open documents; mind maps and reserved documents are the animators'."""
    if kind not in Document.Kind.values:
        raise ServiceError(ErrorCode.INVALID, gettext("Type inconnu."), {"field": "kind"})
    policies.require(actor, Action.CONTRIBUTE, scope)
    if reserved or kind == Document.Kind.MINDMAP:
        policies.require(actor, Action.LEAD_ACTIVITIES, scope)
    return Document.objects.create(scope=scope, title=_title(title), kind=kind, reserved=reserved)


@transaction.atomic
def update_document(*, actor, document: Document, title: str | None, reserved: bool | None):
    policies.require(actor, Action.LEAD_ACTIVITIES, document.scope)
    if title is not None:
        document.title = _title(title)
    if reserved is not None:
        document.reserved = reserved
    document.save(update_fields=["title", "reserved"])
    return document


def append_update(document_id: int, update: bytes) -> int:
    """Append one update to the log; returns its id."""
    return DocumentUpdate.objects.create(document_id=document_id, data=update).pk


def append_missing(document_id: int, doc: Doc) -> int | None:
    """Append what `doc` holds that the stored document lacks (new items; by state
    vectors). Returns the new row's id, or None when nothing was missing."""
    stored, _ = stored_state(document_id)
    known = get_state(stored)
    if doc.get_state() == known:
        return None
    return append_update(document_id, doc.get_update(known))


def stored_state(document_id: int) -> tuple[bytes, int]:
    """The whole document as one update, and the id of the last logged update in it."""
    snapshot, upto, rows = _snapshot_and_rows(document_id, after=0)
    updates = ([bytes(snapshot)] if snapshot else []) + [data for _, data in rows]
    last = rows[-1][0] if rows else upto
    return (merge_updates(*updates) if updates else EMPTY_UPDATE), last


def updates_since(document_id: int, after: int) -> tuple[bytes | None, list[tuple[int, bytes]]]:
    """What a live process has not read yet: the snapshot too if rows it had not read were
    folded into it, then the log's rows after `after`."""
    snapshot, upto, rows = _snapshot_and_rows(document_id, after=after)
    return (bytes(snapshot) if upto > after and snapshot else None), rows


def _snapshot_and_rows(document_id: int, *, after: int):
    with transaction.atomic():
        head = Document.objects.filter(pk=document_id).values("snapshot", "snapshot_upto").first()
        if head is None:
            raise not_found("document", document_id)
        start = max(after, head["snapshot_upto"]) if after else head["snapshot_upto"]
        rows = [
            (pk, bytes(data))
            for pk, data in DocumentUpdate.objects.filter(document_id=document_id, pk__gt=start)
            .order_by("pk")
            .values_list("pk", "data")
        ]
    return head["snapshot"], head["snapshot_upto"], rows


def stored_size(document_id: int) -> int:
    """Bytes the document takes in the database (snapshot and log), for the bench."""
    head = Document.objects.filter(pk=document_id).values_list("snapshot", flat=True).first()
    rows = DocumentUpdate.objects.filter(document_id=document_id).values_list("data", flat=True)
    return len(head or b"") + sum(len(data) for data in rows)


def log_length(document_id: int) -> int:
    return DocumentUpdate.objects.filter(document_id=document_id).count()


@transaction.atomic
def compact(document_id: int) -> None:
    """Fold the log into the snapshot (row-locked: one compaction of a document at a time)."""
    head = Document.objects.select_for_update().filter(pk=document_id).first()
    if head is None:
        return
    rows = list(
        DocumentUpdate.objects.filter(document_id=document_id, pk__gt=head.snapshot_upto)
        .order_by("pk")
        .values_list("pk", "data")
    )
    if not rows:
        return
    parts = ([bytes(head.snapshot)] if head.snapshot else []) + [bytes(d) for _, d in rows]
    # Merged through a document: the encoded state drops what later updates deleted.
    doc = Doc()
    doc.apply_update(merge_updates(*parts))
    head.snapshot, head.snapshot_upto = doc.get_update(), rows[-1][0]
    head.save(update_fields=["snapshot", "snapshot_upto"])
    DocumentUpdate.objects.filter(document_id=document_id, pk__lte=head.snapshot_upto).delete()


def load_doc(document: Document) -> Doc:
    doc = Doc()
    state, _ = stored_state(document.pk)
    doc.apply_update(state)
    return doc


# -- versions and export ---------------------------------------------------------------------


@transaction.atomic
def save_version(
    *, actor, document: Document, name: str, seen: bytes | None = None
) -> DocumentVersion:
    """A named copy of the document as it reads now. `seen` is the state of the page that
    names it (a Yjs update): what that page shows and the log does not hold yet (its last
    keystrokes, still on their way to the database) is appended first, like any edit, so
    the version is what its author saw and the document holds all of it."""
    write_decision(actor, document).raise_if_denied()
    name = _title(name, "name", 120)
    doc = load_doc(document)
    if seen:
        before = doc.get_state()
        try:
            doc.apply_update(seen)
        except Exception:
            raise ServiceError(
                ErrorCode.INVALID, gettext("État du document illisible."), {"field": "state"}
            ) from None
        missing = doc.get_update(before)
        if missing != EMPTY_UPDATE:
            append_update(document.pk, missing)
    return DocumentVersion.objects.create(document=document, name=name, state=doc.get_update())


def restore_version(*, actor, version: DocumentVersion) -> int:
    """Make the document read as the version did, by an update appended like any edit (so
    live editors receive it and nobody's history is rewritten). Returns the update's id."""
    document = version.document
    write_decision(actor, document).raise_if_denied()
    if document.kind != Document.Kind.TEXT:
        raise ServiceError(
            ErrorCode.INVALID, gettext("Seuls les documents texte ont des versions.")
        )
    current = load_doc(document)
    before = current.get_state()
    old = Doc()
    old.apply_update(bytes(version.state))
    richtext.replace_content(current, old)
    return append_update(document.pk, current.get_update(before))


def mindmap_tree(document: Document) -> dict:
    if document.kind != Document.Kind.MINDMAP:
        raise ServiceError(ErrorCode.INVALID, gettext("Ce document n'est pas une carte mentale."))
    return mindmaps.as_dict(mindmaps.tree(load_doc(document), document.title))


def export(document: Document, fmt: str) -> str:
    formats = (
        ("markdown", "html", "svg")
        if document.kind == Document.Kind.MINDMAP
        else (
            "markdown",
            "html",
        )
    )
    if fmt not in formats:
        raise ServiceError(ErrorCode.INVALID, gettext("Format inconnu."), {"field": "format"})
    doc = load_doc(document)
    if document.kind == Document.Kind.MINDMAP:
        return mindmaps.outline(doc, document.title, fmt)
    return richtext.to_markdown(doc) if fmt == "markdown" else richtext.to_html(doc)
