"""What an activity opens in a session: a forum activity its forum, a virtual-class activity
its classes, a questionnaire activity its questionnaire.

`parcours` knows no feature app, so each app registers, in its `ready()`, a resolver for
the kinds it serves; the session page and the API ask `links()` for the whole outline at
once, one call per kind (no query per activity).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.urls import reverse

from .models import Activity, Session

# (session, activities of one kind) -> {activity id: URL}; an activity left out has no link.
Resolver = Callable[[Session, list[Activity]], dict[int, str]]

_resolvers: dict[str, Resolver] = {}


def register(kind: str, resolver: Resolver) -> None:
    _resolvers[kind] = resolver


def links(session: Session, activities: Iterable[Activity]) -> dict[int, str]:
    """{activity id: URL} for the activities of `session` that open something."""
    by_kind: dict[str, list[Activity]] = {}
    for activity in activities:
        if activity.kind in _resolvers:
            by_kind.setdefault(activity.kind, []).append(activity)
    found: dict[int, str] = {}
    for kind, group in by_kind.items():
        found.update(_resolvers[kind](session, group))
    return found


def link_each(
    activities: list[Activity], linked: dict[int, int], *, detail: str, listing: str
) -> dict[int, str]:
    """Each activity to the page of its own object in the session (`linked`: activity id to
    object id; `detail`: a URL name taking that id), or to `listing` until it has one."""
    return {
        activity.pk: reverse(detail, args=[linked[activity.pk]])
        if activity.pk in linked
        else listing
        for activity in activities
    }
