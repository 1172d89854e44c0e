"""`{% session_classrooms session %}`: the session page's virtual classrooms."""

from django import template

from parcours import policies
from parcours.policies import Action

from .. import selectors

register = template.Library()


@register.inclusion_tag("classrooms/_session_rooms.html", takes_context=True)
def session_classrooms(context, session) -> dict:
    user = context["request"].user
    member = policies.can(user, Action.CLASSROOM_JOIN, session)
    rooms = [r for r in selectors.scope_classrooms(session.scope) if r.state != r.State.ENDED]
    return {
        "session": session,
        "rooms": rooms if member else None,
        "can_create": policies.can(user, Action.CLASSROOM_MANAGE, session),
    }
