"""What a space's page shows of the co-working tools (read by `web`'s space page)."""

from parcours.models import Scope

from . import documents, resources, wordclouds
from .models import Document


def tools_of(user, scope: Scope) -> dict:
    """Documents, mind maps, word clouds and resources, for a reader of the scope."""
    found = documents.documents_in(user, scope)
    return {
        "documents": [d for d in found if d.kind == Document.Kind.TEXT],
        "mindmaps": [d for d in found if d.kind == Document.Kind.MINDMAP],
        "clouds": wordclouds.clouds_in(user, scope),
        "resources": resources.resources_in(user, scope),
    }
