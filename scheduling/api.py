"""Polls, scheduled classes, "entre pairs" series, free slots and ICS invitations."""

from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from ninja import Query, Router, Status

from parcours import audit, policies
from parcours import selectors as parcours_selectors
from parcours.errors import ErrorCode, ServiceError
from parcours.exports import spreadsheet
from parcours.inputs import Id, QueryText
from parcours.policies import Action
from realtime.heads import expose_heads

from . import api_feeds, calendar, feeds, ics, selectors, services
from .models import Poll, ScheduledClass
from .schemas import (
    AnswerIn,
    ClassOut,
    CloseIn,
    FreeSlotOut,
    FreeSlotsQuery,
    PollIn,
    PollOut,
    SeriesIn,
    SeriesOut,
)

router = Router()
ICS_TYPE = "text/calendar; charset=utf-8"


def _viewer_zone(user) -> ZoneInfo | None:
    profile = getattr(user, "profile", None)
    academy = profile.academy if profile else None
    return ZoneInfo(academy.timezone) if academy else None


def poll_out(poll: Poll, user) -> dict:
    """A poll as `user` may see it: full counts, or seat counts only while hidden; each
    person's answers only when the poll is nominative (`policies.decide_poll_ballots`)."""
    zone = ZoneInfo(poll.session.academy.timezone)
    viewer = _viewer_zone(user)
    visible = selectors.results_visible(poll, user)
    rows = selectors.tallies(poll)
    mine = selectors.ballot_of(poll, user) if user.is_authenticated else None
    slots = [
        {
            "id": row.slot.pk,
            "starts_at": row.slot.starts_at,
            "ends_at": row.slot.ends_at,
            "local_start": row.slot.starts_at.astimezone(zone).isoformat(),
            "local_end": row.slot.ends_at.astimezone(zone).isoformat(),
            "viewer_start": row.slot.starts_at.astimezone(viewer).isoformat() if viewer else None,
            "seat_limit": row.slot.seat_limit,
            "seats_left": row.seats_left,
            "yes": row.yes if visible else None,
            "maybe": row.maybe if visible else None,
            "no": row.no if visible else None,
            "chosen": row.slot.chosen,
        }
        for row in rows
    ]
    suggested = selectors.suggested_slot(rows) if visible else None
    everyone = selectors.ballots(poll) if visible else []
    # Names only for a nominative poll (said at creation); an anonymous one, counts only.
    named = policies.decide_poll_ballots(user, poll.session, nominative=poll.nominative).allowed
    return {
        "id": poll.pk,
        "session_id": poll.session_id,
        "title": poll.title,
        "description": poll.description,
        "timezone": zone.key,
        "viewer_timezone": viewer.key if viewer else None,
        "state": poll.state,
        "accepts_answers": poll.accepts_answers(),
        "hide_results": poll.hide_results,
        "nominative": poll.nominative,
        "results_visible": visible,
        "closes_at": poll.closes_at,
        "respondents": selectors.respondents(poll),
        "suggested_slot_id": suggested.pk if suggested else None,
        "class_id": poll.scheduled_class_id,
        "slots": slots,
        "my_choices": {a.slot_id: a.choice for a in mine.answers.all()} if mine else {},
        "my_comment": mine.comment if mine else "",
        "ballots": [
            {
                "name": parcours_selectors.display_name(ballot.user),
                "comment": ballot.comment,
                "choices": {a.slot_id: a.choice for a in ballot.answers.all()},
            }
            for ballot in everyone
        ]
        if visible and named
        else None,
        # An anonymous poll's comments, without names, in an order that says nothing of who.
        "comments": sorted(b.comment for b in everyone if b.comment)
        if visible and not poll.nominative
        else None,
    }


def class_out(scheduled: ScheduledClass) -> dict:
    return {
        "id": scheduled.pk,
        "session_id": scheduled.scope.session_id,
        "space_id": scheduled.scope.space_id,
        "series_id": scheduled.series_id,
        "title": scheduled.title,
        "starts_at": scheduled.starts_at,
        "ends_at": scheduled.ends_at,
        "timezone": scheduled.timezone,
        "local_start": scheduled.starts_at.astimezone(ZoneInfo(scheduled.timezone)).isoformat(),
        "agenda": scheduled.agenda,
        "state": scheduled.state,
    }


@router.post("/sessions/{session_id}/polls", response={201: PollOut})
def create_poll(request: HttpRequest, session_id: Id, payload: PollIn):
    session = parcours_selectors.get_session(session_id)
    data = payload.dict()
    data["slots"] = [services.SlotIn(**slot) for slot in data["slots"]]
    poll = services.create_poll(session=session, actor=request.user, **data)
    return Status(201, poll_out(poll, request.user))


@router.get("/sessions/{session_id}/polls", response=list[PollOut])
def list_polls(request: HttpRequest, session_id: Id, response: HttpResponse):
    session = parcours_selectors.get_session(session_id)
    decision = policies.require(request.user, Action.READ_CONTRIBUTIONS, session)
    audit.record_read(actor=request.user, decision=decision, kind="polls", object_id=session_id)
    polls = list(selectors.session_polls(session))
    topics = expose_heads(response, [f"poll:{poll.pk}" for poll in polls])
    return [
        poll_out(poll, request.user) | {"topics": {f"poll:{poll.pk}": topics[f"poll:{poll.pk}"]}}
        for poll in polls
    ]


@router.get("/polls/{poll_id}", response=PollOut)
def poll_detail(request: HttpRequest, poll_id: Id, response: HttpResponse):
    poll = selectors.get_poll(poll_id)
    decision = policies.require(request.user, Action.READ_CONTRIBUTIONS, poll.session)
    audit.record_read(actor=request.user, decision=decision, kind="poll", object_id=poll_id)
    topics = expose_heads(response, [f"poll:{poll_id}"])
    return poll_out(poll, request.user) | {"topics": topics}


@router.post("/polls/{poll_id}/answers", response=PollOut)
def answer_poll(request: HttpRequest, poll_id: Id, payload: AnswerIn):
    poll = selectors.get_poll(poll_id)
    services.answer_poll(
        poll=poll, user=request.user, choices=payload.choices, comment=payload.comment
    )
    return poll_out(selectors.get_poll(poll_id), request.user)


@router.post("/polls/{poll_id}/close", response=ClassOut)
def close_poll(request: HttpRequest, poll_id: Id, payload: CloseIn | None = None):
    poll = selectors.get_poll(poll_id)
    slot_id = payload.slot_id if payload else None
    return class_out(services.close_poll(poll=poll, actor=request.user, slot_id=slot_id))


@router.get("/polls/{poll_id}/answers.csv")
def export_answers(request: HttpRequest, poll_id: Id):
    poll = selectors.get_poll(poll_id)
    policies.require(request.user, Action.VIEW_POLL_RESULTS, poll.session)
    return spreadsheet(selectors.answers_table(poll), filename=f"sondage-{poll.pk}.csv")


@router.get("/polls/{poll_id}/event.ics", url_name="poll_event_ics")
def poll_event_ics(request: HttpRequest, poll_id: Id):
    poll = selectors.get_poll(poll_id)
    policies.require(request.user, Action.ENTER_SESSION, poll.session)
    if poll.scheduled_class is None:
        raise ServiceError(
            ErrorCode.CONFLICT, "Le sondage n'est pas encore clos.", {"field": "poll"}
        )
    # The invitation points to the class's virtual classroom (a page of `classrooms`).
    room = reverse("classrooms:for_class", args=[poll.scheduled_class.pk])
    scheduled = poll.scheduled_class
    body = ics.class_invitation(
        scheduled,
        uid_domain=request.get_host(),
        place=feeds.place_of(scheduled.scope),
        url=request.build_absolute_uri(room),
    )
    response = HttpResponse(body, content_type=ICS_TYPE)
    # Named after the class and its day, as people file it in their calendars.
    day = scheduled.starts_at.astimezone(ZoneInfo(scheduled.timezone)).date().isoformat()
    name = f"{slugify(scheduled.title) or 'classe'}-{day}.ics"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get("/sessions/{session_id}/classes", response=list[ClassOut])
def session_classes(request: HttpRequest, session_id: Id, response: HttpResponse):
    scope = parcours_selectors.get_session_scope(session_id)
    policies.require(request.user, Action.ENTER_SESSION, scope)
    # New classes reach each member on their own topic (`class.scheduled`).
    expose_heads(response, [f"user:{request.user.pk}"])
    return [class_out(c) for c in selectors.scope_classes(scope)]


@router.get("/spaces/{space_id}/classes", response=list[ClassOut])
def space_classes(request: HttpRequest, space_id: Id, response: HttpResponse):
    scope = parcours_selectors.get_space_scope(space_id)
    policies.require(request.user, Action.ENTER_SESSION, scope)
    expose_heads(response, [f"user:{request.user.pk}"])
    return [class_out(c) for c in selectors.scope_classes(scope)]


def _series_scope(payload: SeriesIn):
    if (payload.session_id is None) == (payload.space_id is None):
        raise ServiceError(
            ErrorCode.INVALID,
            "Indiquez la session ou l'espace de la série, l'un des deux.",
            {"field": "session_id"},
        )
    if payload.session_id is not None:
        return parcours_selectors.get_session_scope(payload.session_id)
    return parcours_selectors.get_space_scope(payload.space_id)


@router.post("/series", response={201: SeriesOut})
def create_series(request: HttpRequest, payload: SeriesIn):
    scope = _series_scope(payload)
    data = payload.dict(exclude={"session_id", "space_id"})
    result = services.create_series(scope=scope, actor=request.user, **data)
    return Status(
        201,
        {
            "id": result.series.pk,
            "title": result.series.title,
            "feed_url": reverse("api:series_feed", kwargs={"series_id": result.series.pk}),
            "classes": [class_out(c) for c in result.occurrences],
            "skipped": [{"day": day, "reasons": r} for day, r in result.skipped.items()],
        },
    )


@router.get("/series/{series_id}/feed.ics", url_name="series_feed")
def series_feed(request: HttpRequest, series_id: Id):
    series = selectors.get_series(series_id)
    policies.require(request.user, Action.ENTER_SESSION, series.scope)
    body = ics.series_feed(series, selectors.series_exdates(series), uid_domain=request.get_host())
    return HttpResponse(body, content_type=ICS_TYPE)


@router.get("/academies/{code}/free-slots", response=list[FreeSlotOut])
def free_slots(request: HttpRequest, code: QueryText, query: Query[FreeSlotsQuery]):
    cal = selectors.calendar_for(selectors.get_academy(code))
    return [
        {"starts_at": start.isoformat(), "ends_at": end.isoformat()}
        for start, end in calendar.free_slots(
            cal, query.from_, query.to, query.minutes, now=timezone.now()
        )
    ]


router.add_router("", api_feeds.router)
