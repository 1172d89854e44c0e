"""`{% upcoming_classes session %}`: the session page's list of classes to come."""

from django import template

from parcours import policies
from parcours.policies import Action

from .. import selectors

register = template.Library()


@register.inclusion_tag("scheduling/_upcoming.html", takes_context=True)
def upcoming_classes(context, session) -> dict:
    user = context["request"].user
    readable = policies.can(user, Action.READ_CONTRIBUTIONS, session)
    return {
        "session": session,
        "classes": selectors.upcoming_classes(session.scope) if readable else None,
        "polls": [p for p in selectors.session_polls(session) if p.accepts_answers()]
        if readable
        else [],
        "series": selectors.scope_series(session.scope) if readable else [],
        "can_schedule": policies.can(user, Action.SCHEDULE_CLASS, session),
    }
