"""Virtual-class activities of a parcours open the session's planning: its polls and its
scheduled classes."""

from django.urls import reverse

from parcours.models import Activity, Session


def activity_links(session: Session, activities: list[Activity]) -> dict[int, str]:
    plan = reverse("scheduling:plan", args=[session.pk])
    return {activity.pk: plan for activity in activities}
