"""Pages: the trainer's week view to propose slots, a poll's voting page, my calendar address."""

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from parcours import audit, policies
from parcours import selectors as parcours_selectors
from parcours.errors import ServiceError
from parcours.inputs import query_date
from parcours.policies import Action
from realtime.selectors import last_seq

from . import calendar, feeds, selectors
from .api import poll_out
from .api_feeds import feed_url


def _denied(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return render(request, "parcours/denied.html", {"error": exc}, status=exc.http_status)


# The weeks the planning page can show: well within what dates and the calendars can hold.
FIRST_WEEK, LAST_WEEK = date(2000, 1, 3), date(2099, 12, 28)


def _monday(request: HttpRequest) -> date:
    """The Monday of the week asked for in `?semaine=` (400 when it is not a usable date)."""
    day = query_date(
        request, "semaine", default=timezone.localdate(), low=FIRST_WEEK, high=LAST_WEEK
    )
    return day - timedelta(days=day.weekday())


@login_required
def calendar_feed_page(request: HttpRequest) -> HttpResponse:
    """My private calendar address: issue (or replace) it, revoke it. Shown once, when issued."""
    url = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "issue":
            url = feed_url(request, feeds.issue_feed(actor=request.user))
        elif action == "revoke":
            feeds.revoke_feed(actor=request.user)
        else:
            raise BadRequest("action inconnue")
    context = {"url": url, "active": feeds.has_feed(request.user)}
    return render(request, "scheduling/calendar_feed.html", context)


@login_required
def plan_page(request: HttpRequest, session_id: int) -> HttpResponse:
    try:
        session = parcours_selectors.get_session(session_id)
        policies.require(request.user, Action.SCHEDULE_CLASS, session)
    except ServiceError as exc:
        return _denied(request, exc)
    monday = _monday(request)
    if "semaine" in request.GET:
        grid = selectors.week_grid(session.scope, monday)
    else:  # opened from a link: the first week a class can still be placed in
        monday, grid = selectors.first_open_week(session.scope, monday)
    return render(
        request,
        "scheduling/plan.html",
        {
            "session": session,
            "monday": monday,
            "days": [monday + timedelta(days=offset) for offset in range(7)],
            # No link to a week the page refuses (400).
            "previous": monday - timedelta(weeks=1) if monday > FIRST_WEEK else None,
            "next": monday + timedelta(weeks=1) if monday < LAST_WEEK - timedelta(days=6) else None,
            "grid": grid,
            "legend": selectors.grid_legend(grid),
            "polls": selectors.session_polls(session),
            "reason_labels": calendar.REASON_LABELS,
        },
    )


@login_required
def poll_page(request: HttpRequest, poll_id: int) -> HttpResponse:
    try:
        poll = selectors.get_poll(poll_id)
        decision = policies.require(request.user, Action.READ_CONTRIBUTIONS, poll.session)
    except ServiceError as exc:
        return _denied(request, exc)
    user = request.user
    audit.record_read(actor=user, decision=decision, kind="poll", object_id=poll_id)
    # Read before the poll's state: frames after this seq are replayed to the page, so an
    # answer landing while the page renders is never lost.
    since = last_seq(f"poll:{poll.pk}")
    return render(
        request,
        "scheduling/poll.html",
        {
            "since": since,
            "poll": poll,
            "session": poll.session,
            "data": poll_out(poll, user),
            "can_vote": policies.can(user, Action.VOTE, poll.session),
            "can_close": policies.can(user, Action.SCHEDULE_CLASS, poll.session),
            "can_export": policies.can(user, Action.VIEW_POLL_RESULTS, poll.session),
            "names_shown": policies.decide_poll_ballots(
                user, poll.session, nominative=poll.nominative
            ).allowed,
        },
    )
