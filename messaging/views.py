"""The messages page: one's conversations, one person's exchange, the forms to write."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from parcours.errors import ServiceError
from realtime.selectors import last_seq

from . import selectors

# The part of a conversation a page opens on (the API pages further back).
CONVERSATION_PAGE = 100


def _page(request: HttpRequest, **context) -> HttpResponse:
    # Where the live topic stands, read before the lists: the page resumes from there, so a
    # message sent while it loads is replayed rather than missed.
    since = last_seq(f"user:{request.user.pk}")
    return render(
        request,
        "messaging/inbox.html",
        {
            "since": since,
            "conversations": selectors.conversations(request.user),
            "contacts": selectors.contacts(request.user),
            **context,
        },
    )


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The people one exchanges with, and a form to write to those one may write to."""
    return _page(request, other=None)


@login_required
def conversation(request: HttpRequest, user_id: int) -> HttpResponse:
    """One person's exchange with the viewer, in order, answered in place."""
    try:
        exchange = selectors.exchange(request.user, user_id, limit=CONVERSATION_PAGE)
    except ServiceError as exc:
        return render(request, "parcours/denied.html", {"error": exc}, status=exc.http_status)
    return _page(request, other=exchange)
