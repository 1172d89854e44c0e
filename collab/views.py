"""Pages of the co-working tools: documents, mind maps, word clouds. (The space's own page,
which composes every app's parts, is `web`'s.)"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from parcours import policies
from parcours import selectors as parcours_selectors
from parcours.errors import ServiceError
from parcours.policies import Action

from . import documents, wordclouds


def _denied(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return render(request, "parcours/denied.html", {"error": exc}, status=exc.http_status)


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
    template = "collab/mindmap.html" if document.kind == "mindmap" else "collab/document.html"
    return render(request, template, context)


@login_required
def wordcloud_page(request: HttpRequest, cloud_id: int) -> HttpResponse:
    try:
        cloud = wordclouds.readable_cloud(request.user, cloud_id)
    except ServiceError as exc:
        return _denied(request, exc)
    context = {
        "cloud": cloud,
        "space": cloud.scope.space,
        "leads": policies.can(request.user, Action.LEAD_ACTIVITIES, cloud.scope),
        "can_add": not cloud.closed and policies.can(request.user, Action.CONTRIBUTE, cloud.scope),
    }
    return render(request, "collab/wordcloud.html", context)
