import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import services

logger = logging.getLogger(__name__)


class LastVisitMiddleware:
    """Keeps the user's last-visit date: the only trace of presence (see `record_visit`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Read after the view: API token authentication sets the user during the view.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                services.record_visit(user=user)
            except Exception:
                # The view has answered and may have committed: a bookkeeping failure (the
                # cache or the database away) must not turn its answer into a 500.
                logger.exception("last visit: not recorded")
        return response
