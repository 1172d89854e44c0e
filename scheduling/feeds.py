"""Each member's private calendar address: issued, replaced and revoked by its owner only.

Calendar applications subscribe to a URL and cannot log in, so the URL carries a secret (as
calendar exports do). Only its hash is stored; whoever holds the URL reads the classes of
its owner's sessions and spaces, as the owner may see them at the time of reading.
"""

import secrets
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from parcours import policies
from parcours.models import Membership, Scope, SpaceMembership
from parcours.policies import Action

from . import ics
from .models import CalendarFeed, ScheduledClass

# How far back a feed goes: calendar applications drop what a feed no longer lists.
FEED_PAST = timedelta(days=90)


@transaction.atomic
def issue_feed(*, actor) -> str:
    """A new secret for `actor`'s feed; the previous address, if any, stops working."""
    key = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=actor, defaults={"key_hash": CalendarFeed.hash_key(key)}
    )
    return key


def revoke_feed(*, actor) -> bool:
    """True when there was an address to revoke."""
    deleted, _ = CalendarFeed.objects.filter(user=actor).delete()
    return bool(deleted)


def has_feed(user) -> bool:
    return CalendarFeed.objects.filter(user=user).exists()


def feed_owner(key: str):
    """The active user whose feed `key` opens, or None."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(key_hash=CalendarFeed.hash_key(key))
        .first()
    )
    return feed.user if feed is not None and feed.user.is_active else None


def member_classes(user) -> list[ScheduledClass]:
    """The planned classes of every session and space `user` belongs to, recent and to come,
    each checked against the permission table (a removed member sees none at once)."""
    sessions = Membership.objects.filter(user=user).values("session_id")
    spaces = SpaceMembership.objects.filter(user=user).values("space_id")
    found = (
        ScheduledClass.objects.filter(
            Q(scope__session_id__in=sessions)
            | Q(scope__space_id__in=spaces)
            | Q(scope__space__session_id__in=sessions),
            state=ScheduledClass.State.SCHEDULED,
            ends_at__gte=timezone.now() - FEED_PAST,
        )
        .select_related("scope__session__academy", "scope__space__academy", "scope__space__session")
        .order_by("starts_at", "id")
    )
    allowed: dict[int, bool] = {}
    classes = []
    for scheduled in found:
        if scheduled.scope_id not in allowed:
            allowed[scheduled.scope_id] = policies.can(user, Action.ENTER_SESSION, scheduled.scope)
        if allowed[scheduled.scope_id]:
            classes.append(scheduled)
    return classes


def feed_items(user, *, absolute: Callable[[str], str]) -> list[ics.FeedClass]:
    """`user`'s classes with the page each opens: a session's class its virtual classroom
    (a page of `classrooms`, named, not imported), a space's class the space's page."""
    items = []
    for scheduled in member_classes(user):
        scope = scheduled.scope
        if scope.session_id is not None:
            page = reverse("classrooms:for_class", args=[scheduled.pk])
        else:
            page = reverse("web:space", args=[scope.space_id])
        items.append(ics.FeedClass(scheduled, absolute(page), place_of(scope)))
    return items


def place_of(scope: Scope) -> str:
    """A class's session or space, as its calendar event names it."""
    if scope.session_id is not None:
        return f"Session « {scope.session.title} »"
    return f"Espace « {scope.space.title} »"
