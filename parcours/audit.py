"""The audit log of administrators' visits: what they asked to see, and why.

An administrator enters a session only through an access grant opened against a member's
help request (DESIGN.md, the trust frame; the platform's FAQ: "at the request of those
concerned"). Everything they read there under the grant (the session, forums, discussions,
private posts, attachments, polls, questionnaires, the session's own space and its
documents, live subscriptions) is written to the session's audit log, which its trainers
read: one entry per object and day, kept unique by the database, so that a page read twice
or by two processes at once still leaves one line.

Callers pass the `Decision` that allowed the read: `policies` marks the ones only a grant
allowed (`audit_session_id`), so that a member's reads cost nothing here.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AccessGrant, AuditEntry
from .policies import Decision

# What an entry's object is, as the trainers read it in the log.
OBJECT_LABELS = {
    "session": _("la session"),
    "forums": _("la liste des forums"),
    "forum": _("un forum"),
    "discussion": _("une discussion"),
    "post": _("un message"),
    "private_post": _("un message privé"),
    "attachment": _("une pièce jointe"),
    "polls": _("la liste des sondages"),
    "poll": _("un sondage"),
    "poll_results": _("les réponses d'un sondage"),
    "questionnaires": _("la liste des questionnaires"),
    "space": _("l'espace de la session"),
    "document": _("un document partagé"),
    "wordclouds": _("la liste des nuages de mots"),
    "wordcloud": _("un nuage de mots"),
    "resources": _("la liste des ressources"),
    "resource": _("une ressource"),
    "questionnaire": _("un questionnaire"),
    "live": _("un fil en direct"),
}


def record_read(
    *,
    actor,
    decision: Decision,
    kind: str,
    object_id: int,
    action: str = AuditEntry.Action.READ,
) -> None:
    """Log that `actor` read object `kind`/`object_id` under an access grant, once a day.

    Does nothing unless `decision` was allowed by a grant alone.
    """
    record_reads(actor=actor, decision=decision, kind=kind, object_ids=[object_id], action=action)


def record_reads(
    *,
    actor,
    decision: Decision,
    kind: str,
    object_ids: list[int],
    action: str = AuditEntry.Action.READ,
) -> None:
    """`record_read` of several objects of one kind (the private posts of a page)."""
    session_id = decision.audit_session_id
    if not decision.allowed or session_id is None or not object_ids:
        return
    grant = (
        AccessGrant.objects.filter(
            session_id=session_id, grantee=actor, expires_at__gt=timezone.now()
        )
        .order_by("-expires_at")
        .first()
    )
    today = timezone.localdate()
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                session_id=session_id,
                actor=actor,
                action=action,
                object_kind=kind,
                object_id=object_id,
                day=today,
                reason=grant.reason if grant else "",
                grant=grant,
                help_request_id=grant.help_request_id if grant else None,
            )
            for object_id in dict.fromkeys(object_ids)
        ],
        ignore_conflicts=True,
    )


# Topic kinds of the realtime gateway, followed live ("live:<kind>").
LIVE_LABELS = {
    "forum": _("le direct d'un forum"),
    "discussion": _("le direct d'une discussion"),
    "poll": _("le direct d'un sondage"),
    "space": _("le direct de l'espace"),
}


def object_label(entry: AuditEntry) -> str:
    """What an entry is about, in French: "une discussion (n° 12)"."""
    kind = entry.object_kind
    if kind.startswith("live:"):
        label = LIVE_LABELS.get(kind.removeprefix("live:"), OBJECT_LABELS["live"])
    else:
        label = OBJECT_LABELS.get(kind)
    if label is None:
        return ""
    return str(label) if kind == "session" else f"{label} (n° {entry.object_id})"
