"""Resources of a space: files and links its members share, readable by members only."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext

from parcours import audit, policies
from parcours.attachments import save_upload
from parcours.errors import ErrorCode, ServiceError, not_found
from parcours.models import Scope
from parcours.policies import Action

from .models import Resource, ResourceFile

MAX_FILE_BYTES = 5 * 1024 * 1024


def _title(raw: str) -> str:
    text = " ".join(str(raw).replace("\x00", "").split())
    if not text:
        raise ServiceError(ErrorCode.INVALID, gettext("Titre vide."), {"field": "title"})
    return text[:200]


def resources_in(user, scope: Scope) -> list[Resource]:
    decision = policies.require(user, Action.READ_CONTRIBUTIONS, scope)
    audit.record_read(actor=user, decision=decision, kind="resources", object_id=scope.pk)
    return list(Resource.objects.filter(scope=scope).select_related("upload"))


def readable_resource(user, resource_id: int) -> Resource:
    found = (
        Resource.objects.select_related(
            "upload", "scope__session__academy", "scope__space__session", "scope__space__academy"
        )
        .filter(pk=resource_id)
        .first()
    )
    if found is None:
        raise not_found("ressource", resource_id)
    decision = policies.require(user, Action.READ_CONTRIBUTIONS, found.scope)
    audit.record_read(actor=user, decision=decision, kind="resource", object_id=resource_id)
    return found


@transaction.atomic
def share_link(*, actor, scope: Scope, title: str, url: str) -> Resource:
    policies.require(actor, Action.CONTRIBUTE, scope)
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or "\x00" in url:
        raise ServiceError(
            ErrorCode.INVALID, gettext("Adresse http(s) attendue."), {"field": "url"}
        )
    return Resource.objects.create(
        scope=scope, kind=Resource.Kind.LINK, title=_title(title), url=url.strip(), added_by=actor
    )


@transaction.atomic
def share_file(*, actor, scope: Scope, title: str, upload: UploadedFile) -> Resource:
    policies.require(actor, Action.CONTRIBUTE, scope)
    resource = Resource.objects.create(
        scope=scope, kind=Resource.Kind.FILE, title=_title(title or upload.name), added_by=actor
    )
    # A refused file raises here, and the transaction takes the resource back.
    save_upload(ResourceFile, upload, max_bytes=MAX_FILE_BYTES, resource=resource)
    return resource


@transaction.atomic
def remove(*, actor, resource: Resource) -> None:
    if resource.added_by_id != actor.pk:
        policies.require(actor, Action.MODERATE, resource.scope)
    else:
        policies.require(actor, Action.CONTRIBUTE, resource.scope)
    if resource.kind == Resource.Kind.FILE and hasattr(resource, "upload"):
        stored = resource.upload.file
        transaction.on_commit(lambda: stored.delete(save=False))
    resource.delete()
