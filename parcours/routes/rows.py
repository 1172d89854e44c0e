"""Rows shared by the API's modules: a session as its lists show it, a member."""

from ..models import Membership, Session
from ..selectors import display_name


def session_row(session: Session, role: str) -> dict:
    return {
        "id": session.pk,
        "title": session.title,
        "parcours_id": session.parcours_id,
        "parcours_title": session.parcours.title,
        "academy": session.academy.code,
        "starts_on": session.starts_on,
        "ends_on": session.ends_on,
        "state": session.state,
        "ended": session.has_ended(),
        "content_open_after_end": session.content_open_after_end,
        "role": role,
    }


def member_row(membership: Membership) -> dict:
    profile = getattr(membership.user, "profile", None)
    return {
        "user_id": membership.user_id,
        "username": membership.user.get_username(),
        "name": display_name(membership.user),
        "role": membership.role,
        "school": profile.school if profile else "",
        "circonscription": profile.circonscription if profile else "",
        "finished": membership.finished_on is not None,
    }
