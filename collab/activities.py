"""Collaborative activities of a parcours open the session's own space, once its trainer
has opened one (`parcours.spaces.open_session_space`)."""

from django.urls import reverse

from parcours.models import Activity, Session, Space


def activity_links(session: Session, activities: list[Activity]) -> dict[int, str]:
    space_id = Space.objects.filter(session=session).values_list("id", flat=True).first()
    if space_id is None:
        return {}
    url = reverse("web:space", args=[space_id])
    return {activity.pk: url for activity in activities}
