"""Pages of collaborative spaces."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from parcours import policies
from parcours import selectors as parcours_selectors
from parcours.errors import ServiceError
from parcours.policies import Action


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
    return render(request, "collab/space.html", {"space": scope.space, "can": can})
