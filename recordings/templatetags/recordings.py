"""`{% session_recordings session %}`: the recordings of a session, with a player, on its page."""

from django import template

from parcours import policies
from parcours.policies import Action

from .. import selectors

register = template.Library()


@register.inclusion_tag("recordings/_list.html", takes_context=True)
def session_recordings(context, session) -> dict:
    user = context["request"].user
    decision = policies.decide(user, Action.WATCH_RECORDINGS, session)
    if not decision:
        # Members whose access closed with the session are told why; others see nothing.
        return {
            "session": session,
            "recordings": None,
            "closed": policies.is_member(user, session) and decision.message,
        }
    can_manage = policies.can(user, Action.MANAGE_RECORDINGS, session)
    return {
        "session": session,
        "recordings": [
            selectors.recording_view(r, user, can_manage=can_manage)
            for r in selectors.scope_recordings(session.scope)
        ],
        "can_manage": can_manage,
    }


@register.filter
def clock(seconds: float) -> str:
    """A length as people read it: "1 h 02 min", "3 min 05 s", "42 s"."""
    total = round(seconds or 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"
