from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from realtime.selectors import last_seq

from . import selectors


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Messages sent and received, live, with a form to write to members of one's sessions."""
    # Where the live topic stands, read before the list: the page resumes from there, so a
    # message sent while it loads is replayed rather than missed.
    since = last_seq(f"user:{request.user.pk}")
    return render(
        request,
        "messaging/inbox.html",
        {
            "since": since,
            "messages_data": [
                selectors.message_data(m) for m in selectors.messages_of(request.user)[:50]
            ],
            "contacts": selectors.contacts(request.user),
        },
    )
