"""Pages of collaborative spaces: the space, its documents."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from parcours import policies
from parcours import selectors as parcours_selectors
from parcours.errors import ServiceError
from parcours.policies import Action

from . import documents


def _denied(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return render(request, "parcours/denied.html", {"error": exc}, status=exc.http_status)


@login_required
def space_page(request: HttpRequest, space_id: int) -> HttpResponse:
    try:
        scope = parcours_selectors.get_space_scope(space_id)
        policies.require(request.user, Action.VIEW_SESSION_SUMMARY, scope)
    except ServiceError as exc:
        return _denied(request, exc)
    allowed = policies.allowed_actions(request.user, scope)
    can = {action.name.lower(): action in allowed for action in Action}
    context = {"space": scope.space, "can": can, "documents": []}
    if can["read_contributions"]:
        context["documents"] = documents.documents_in(request.user, scope)
    return render(request, "collab/space.html", context)


@login_required
def document_page(request: HttpRequest, document_id: int) -> HttpResponse:
    try:
        document = documents.readable_document(request.user, document_id)
    except ServiceError as exc:
        return _denied(request, exc)
    writable = bool(documents.write_decision(request.user, document))
    context = {
        "document": document,
        "space": document.scope.space,
        "writable": writable,
        "user_name": parcours_selectors.display_name(request.user),
        "versions": list(document.versions.defer("state")) if document.kind == "text" else None,
    }
    return render(request, "collab/document.html", context)
