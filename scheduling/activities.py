"""Virtual-class activities of a parcours open the session's classes and polls: the
"Prochaines classes virtuelles" card of the session page, which every member may read (the
planning page itself is for those who schedule)."""

from django.urls import reverse

from parcours.models import Activity, Session


def activity_links(session: Session, activities: list[Activity]) -> dict[int, str]:
    classes = reverse("parcours:session", args=[session.pk]) + "#upcoming-classes"
    return {activity.pk: classes for activity in activities}
