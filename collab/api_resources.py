"""Resources over HTTP: files and links, members only (mounted by `collab/api.py`)."""

from django.http import HttpRequest
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from parcours import selectors as parcours_selectors
from parcours.attachments import file_response
from parcours.errors import not_found

from . import resources
from .models import Resource
from .schemas import Id, LinkIn, ResourceOut

router = Router()


def _out(resource: Resource, user) -> dict:
    upload = getattr(resource, "upload", None) if resource.kind == Resource.Kind.FILE else None
    return {
        "id": resource.pk,
        "kind": resource.kind,
        "title": resource.title,
        "url": resource.url if upload is None else f"/api/v1/resources/{resource.pk}/file",
        "name": upload.name if upload else None,
        "size": upload.size if upload else None,
        "mine": resource.added_by_id == user.pk,
    }


@router.get("/spaces/{space_id}/resources", response=list[ResourceOut])
def list_resources(request: HttpRequest, space_id: Id):
    scope = parcours_selectors.get_space_scope(space_id)
    return [_out(r, request.user) for r in resources.resources_in(request.user, scope)]


@router.post("/spaces/{space_id}/resources/links", response={201: ResourceOut})
def share_link(request: HttpRequest, space_id: Id, payload: LinkIn):
    scope = parcours_selectors.get_space_scope(space_id)
    made = resources.share_link(actor=request.user, scope=scope, **payload.dict())
    return Status(201, _out(made, request.user))


@router.post("/spaces/{space_id}/resources/files", response={201: ResourceOut})
def share_file(request: HttpRequest, space_id: Id, file: File[UploadedFile], title: Form[str] = ""):
    scope = parcours_selectors.get_space_scope(space_id)
    made = resources.share_file(actor=request.user, scope=scope, title=title[:200], upload=file)
    return Status(201, _out(made, request.user))


@router.get("/resources/{resource_id}/file")
def download(request: HttpRequest, resource_id: Id):
    resource = resources.readable_resource(request.user, resource_id)
    if resource.kind != Resource.Kind.FILE:
        raise not_found("fichier", resource_id)
    return file_response(resource.upload)


@router.delete("/resources/{resource_id}", response={204: None})
def remove(request: HttpRequest, resource_id: Id):
    resource = resources.readable_resource(request.user, resource_id)
    resources.remove(actor=request.user, resource=resource)
    return Status(204, None)
