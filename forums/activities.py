"""Forum activities of a parcours: in each session, the forum activity is a forum of its own,
opened when the session is created, and the outline's link leads to it."""

from __future__ import annotations

from django.urls import reverse

from parcours.activity_links import link_each
from parcours.models import Activity, Session

from .models import Forum


def open_activity_forums(sender, session: Session, **kwargs) -> None:
    """`parcours.signals.session_created`: one forum per forum activity, named after it."""
    activities = Activity.objects.filter(
        section__parcours=session.parcours_id, kind=Activity.Kind.FORUM
    ).order_by("section__position", "position", "id")
    start = Forum.objects.filter(scope__session=session).count()
    Forum.objects.bulk_create(
        Forum(scope=session.scope, activity=activity, title=activity.title, position=start + rank)
        for rank, activity in enumerate(activities)
    )


def activity_links(session: Session, activities: list[Activity]) -> dict[int, str]:
    """The forum of each forum activity in `session`; the session's forums where there is
    none yet (an activity added after the session was opened)."""
    linked = dict(
        Forum.objects.filter(scope__session=session, activity__in=activities)
        .order_by("-id")
        .values_list("activity_id", "id")
    )
    listing = reverse("forums:session_forums", args=[session.pk])
    return link_each(activities, linked, detail="forums:forum", listing=listing)
