"""Pages: a session's or a space's forums, a forum's discussions, a discussion, favourites.

Pages render the state at a known seq of their topic and then follow the topic live
(`web/static/js/forums.js`); a changed post is fetched back as an HTML fragment rendered
by the same template, so the reader's visibility rules apply the same way everywhere.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from parcours import selectors as parcours_selectors
from parcours.errors import ErrorCode, ServiceError
from parcours.inputs import query_int
from parcours.models import Scope
from parcours.policies import Action
from realtime.selectors import last_seq

from . import selectors, services
from .models import Discussion, Forum


def _denied(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return render(request, "parcours/denied.html", {"error": exc}, status=exc.http_status)


def _reader(user, scope: Scope) -> selectors.Viewer:
    who = selectors.viewer(user, scope)
    who.require(Action.READ_CONTRIBUTIONS)
    return who


def _place(scope: Scope) -> dict:
    """Where a forum lives, for breadcrumbs and forms: its session or its space."""
    owner, kind = scope.owner, "session" if scope.session_id else "space"
    home = "parcours:session" if kind == "session" else "web:space"
    return {
        "title": owner.title,
        "url": reverse(home, args=[owner.pk]),
        "forums_url": reverse(f"forums:{kind}_forums", args=[owner.pk]),
        "log_url": reverse(f"forums:{kind}_moderation_log", args=[owner.pk]),
        "api": f"/{kind}s/{owner.pk}",
        "ended": owner.has_ended(),
    }


def _scope_forums(request: HttpRequest, find) -> HttpResponse:
    try:
        scope = find()
        who = _reader(request.user, scope)
    except ServiceError as exc:
        return _denied(request, exc)
    services.audit_read(who, "forums", [scope.pk])
    context = {
        "place": _place(scope),
        "forums": selectors.forums_of(scope, who),
        "can": who.flags(),
        "kinds": Forum.Kind.choices,
    }
    return render(request, "forums/session_forums.html", context)


@login_required
def session_forums(request: HttpRequest, session_id: int) -> HttpResponse:
    return _scope_forums(request, lambda: parcours_selectors.get_session_scope(session_id))


@login_required
def space_forums(request: HttpRequest, space_id: int) -> HttpResponse:
    return _scope_forums(request, lambda: parcours_selectors.get_space_scope(space_id))


def _forum_context(forum: Forum, who: selectors.Viewer) -> dict:
    rows = [selectors.discussion_view(d) for d in selectors.discussions(forum, who)]
    return {"forum": forum, "place": _place(forum.scope), "can": who.flags(), "discussions": rows}


@login_required
def forum_page(request: HttpRequest, forum_id: int) -> HttpResponse:
    try:
        forum = selectors.get_forum(forum_id)
        since = last_seq(f"forum:{forum.pk}")
        who = _reader(request.user, forum.scope)
    except ServiceError as exc:
        return _denied(request, exc)
    services.audit_read(who, "forum", [forum_id])
    context = _forum_context(forum, who) | {"since": since}
    return render(request, "forums/forum.html", context)


@login_required
def discussion_rows(request: HttpRequest, forum_id: int) -> HttpResponse:
    """The discussion list alone, for a page that heard its forum change."""
    try:
        forum = selectors.get_forum(forum_id)
        who = _reader(request.user, forum.scope)
    except ServiceError as exc:
        return _denied(request, exc)
    return render(request, "forums/_discussion_rows.html", _forum_context(forum, who))


def _thread(rows: list[dict]) -> list[dict]:
    """Posts in reading order, each under its parent, with its depth for indentation."""
    children: dict[int | None, list[dict]] = {}
    known = {row["id"] for row in rows}
    for row in rows:
        parent = row["parent_id"] if row["parent_id"] in known else None
        children.setdefault(parent, []).append(row)
    ordered: list[dict] = []

    def walk(parent: int | None, depth: int) -> None:
        for row in children.get(parent, []):
            ordered.append(row | {"depth": min(depth, 6)})
            walk(row["id"], depth + 1)

    walk(None, 0)
    return ordered


@login_required
def discussion_page(request: HttpRequest, discussion_id: int) -> HttpResponse:
    try:
        discussion = selectors.get_discussion(discussion_id)
        # Read before the posts: whatever lands meanwhile is replayed to the page.
        since = last_seq(f"discussion:{discussion.pk}")
        who = _reader(request.user, discussion.forum.scope)
        services.mark_read(discussion=discussion, user=request.user)
    except ServiceError as exc:
        return _denied(request, exc)
    annotated = selectors.annotate_for(who, Discussion.objects.filter(pk=discussion.pk)).get()
    posts = selectors.discussion_posts(discussion, who)
    services.audit_read(who, "discussion", [discussion_id])
    services.audit_posts(who, posts)
    context = {
        "since": since,
        "discussion": selectors.discussion_view(annotated),
        "forum": discussion.forum,
        "place": _place(discussion.forum.scope),
        "posts": _thread(posts),
        "can": who.flags(),
        "me": request.user.pk,
        "other_forums": Forum.objects.filter(scope=discussion.forum.scope_id).exclude(
            pk=discussion.forum_id
        ),
    }
    return render(request, "forums/discussion.html", context)


@login_required
def post_fragment(request: HttpRequest, post_id: int) -> HttpResponse:
    """One post as the reader may see it (404 when they may not)."""
    try:
        post = selectors.get_post(post_id)
        who = _reader(request.user, post.discussion.forum.scope)
    except ServiceError as exc:
        if exc.code == ErrorCode.NOT_FOUND:
            raise Http404 from exc
        return _denied(request, exc)
    found = selectors.posts(post.discussion, who).filter(pk=post_id).first()
    if found is None:
        raise Http404
    services.audit_read(who, "private_post" if found.private else "post", [post_id])
    depth = query_int(request, "depth", default=0, low=0, high=1000)
    context = {
        "post": selectors.post_view(found, who) | {"depth": min(depth, 6)},
        "can": who.flags(),
        "me": request.user.pk,
        "discussion": {"locked": post.discussion.locked},
    }
    return render(request, "forums/_post.html", context)


def _moderation_log(request: HttpRequest, find) -> HttpResponse:
    try:
        scope = find()
        selectors.viewer(request.user, scope).require(Action.READ_MODERATION_LOG)
    except ServiceError as exc:
        return _denied(request, exc)
    context = {"place": _place(scope), "entries": selectors.moderation_log(scope)}
    return render(request, "forums/moderation_log.html", context)


@login_required
def moderation_log_page(request: HttpRequest, session_id: int) -> HttpResponse:
    return _moderation_log(request, lambda: parcours_selectors.get_session_scope(session_id))


@login_required
def space_moderation_log_page(request: HttpRequest, space_id: int) -> HttpResponse:
    return _moderation_log(request, lambda: parcours_selectors.get_space_scope(space_id))


@login_required
def favourites_page(request: HttpRequest) -> HttpResponse:
    return render(request, "forums/favourites.html", {"rows": selectors.favourites(request.user)})
