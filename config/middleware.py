from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext


class ApiBodyLimitMiddleware:
    """Refuse oversized API bodies with a JSON 413 before any view parses them.

    A declared Content-Length is checked without reading anything; a chunked body (no
    length) is measured once read, which the view would have done anyway.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/") and _body_size(request) > settings.API_MAX_BODY_BYTES:
            limit = settings.API_MAX_BODY_BYTES
            return JsonResponse(
                {
                    "error": {
                        "code": "too_large",
                        "message": gettext("Le corps de la requête dépasse %(limit)d octets.")
                        % {"limit": limit},
                        "details": {"field": "body", "max_bytes": limit},
                    }
                },
                status=413,
            )
        return self.get_response(request)


def _body_size(request: HttpRequest) -> int:
    declared = request.META.get("CONTENT_LENGTH")
    if declared:
        try:
            return int(declared)
        except ValueError:
            return 0
    if request.method in {"POST", "PUT", "PATCH"}:
        return len(request.body)
    return 0
