"""Collaborative spaces over HTTP: documents (metadata, export, named versions)."""

import base64

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status

from parcours import selectors as parcours_selectors
from parcours.errors import ErrorCode, ServiceError

from . import api_resources, api_wordclouds, documents
from .models import Document
from .schemas import (
    DocumentIn,
    DocumentOut,
    DocumentPatch,
    Id,
    MindMapNodeOut,
    QueryText,
    VersionIn,
    VersionOut,
)

router = Router()


def _document_out(document: Document, user) -> dict:
    scope = document.scope
    return {
        "id": document.pk,
        "title": document.title,
        "kind": document.kind,
        "reserved": document.reserved,
        "session_id": scope.session_id,
        "space_id": scope.space_id,
        "sync_url": f"/ws/docs/{document.pk}/",
        "writable": bool(documents.write_decision(user, document)),
    }


@router.get("/spaces/{space_id}/documents", response=list[DocumentOut])
def list_documents(request: HttpRequest, space_id: Id):
    scope = parcours_selectors.get_space_scope(space_id)
    found = documents.documents_in(request.user, scope)
    return [_document_out(document, request.user) for document in found]


@router.post("/spaces/{space_id}/documents", response={201: DocumentOut})
def create_document(request: HttpRequest, space_id: Id, payload: DocumentIn):
    scope = parcours_selectors.get_space_scope(space_id)
    document = documents.create_document(actor=request.user, scope=scope, **payload.dict())
    return Status(201, _document_out(document, request.user))


@router.get("/documents/{document_id}", response=DocumentOut)
def get_document(request: HttpRequest, document_id: Id):
    return _document_out(documents.readable_document(request.user, document_id), request.user)


@router.patch("/documents/{document_id}", response=DocumentOut)
def update_document(request: HttpRequest, document_id: Id, payload: DocumentPatch):
    document = documents.readable_document(request.user, document_id)
    documents.update_document(actor=request.user, document=document, **payload.dict())
    return _document_out(document, request.user)


EXPORTS = {
    "markdown": ("text/markdown", "md"),
    "html": ("text/html", "html"),
    "svg": ("image/svg+xml", "svg"),
}


class ExportQuery(Schema):
    format: QueryText = "markdown"


@router.get("/documents/{document_id}/export")
def export_document(request: HttpRequest, document_id: Id, query: Query[ExportQuery]):
    document = documents.readable_document(request.user, document_id)
    body = documents.export(document, query.format)
    kind, extension = EXPORTS[query.format]
    response = HttpResponse(body, content_type=f"{kind}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="document-{document.pk}.{extension}"'
    # Served as a download, never run as a page of the site.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@router.get("/documents/{document_id}/mindmap", response=MindMapNodeOut)
def mindmap_tree(request: HttpRequest, document_id: Id):
    """The mind map's tree as every client reads it (collab/mindmaps.py)."""
    document = documents.readable_document(request.user, document_id)
    return documents.mindmap_tree(document)


@router.get("/documents/{document_id}/versions", response=list[VersionOut])
def list_versions(request: HttpRequest, document_id: Id):
    document = documents.readable_document(request.user, document_id)
    return document.versions.defer("state")


@router.post("/documents/{document_id}/versions", response={201: VersionOut})
def save_version(request: HttpRequest, document_id: Id, payload: VersionIn):
    document = documents.readable_document(request.user, document_id)
    seen = None
    if payload.state is not None:
        try:
            seen = base64.b64decode(payload.state, validate=True)
        except ValueError:
            raise ServiceError(
                ErrorCode.INVALID, "« state » n'est pas du base64.", {"field": "state"}
            ) from None
    version = documents.save_version(
        actor=request.user, document=document, name=payload.name, seen=seen
    )
    return Status(201, version)


@router.post("/documents/{document_id}/versions/{version_id}/restore", response={204: None})
def restore_version(request: HttpRequest, document_id: Id, version_id: Id):
    document = documents.readable_document(request.user, document_id)
    version = documents.get_version(document, version_id)
    documents.restore_version(actor=request.user, version=version)
    return Status(204, None)


# Word clouds and resources have routers of their own, mounted here: one router per app.
router.add_router("", api_wordclouds.router)
router.add_router("", api_resources.router)
