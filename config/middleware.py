from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from config.bodies import limit_for, too_large


class ApiBodyLimitMiddleware:
    """Refuse oversized bodies with a 413 before any view parses them.

    Served through `config.asgi`, `config.bodies.BodyLimit` has refused them already, as they
    arrived; this applies the same per-route limits to what reaches Django otherwise (the
    test client). A declared Content-Length is checked without reading anything; a chunked
    body is measured once read.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = limit_for(request.method or "GET", request.path)
        if _body_size(request) > limit:
            body, kind = too_large(request.path, limit)
            return HttpResponse(body, content_type=kind, status=413)
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
