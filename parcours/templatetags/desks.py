"""`{% desk_links %}`: the navigation's entries to the desks a user's roles open."""

from django import template

from .. import policies
from ..policies import PlatformAction

register = template.Library()


@register.inclusion_tag("parcours/desk_links.html", takes_context=True)
def desk_links(context) -> dict:
    user = context["request"].user
    allowed = policies.platform_actions(user) if user.is_authenticated else frozenset()
    return {
        "desk": PlatformAction.LIST_ACADEMY_SESSIONS in allowed,
        "inspected": PlatformAction.LIST_INSPECTED_SESSIONS in allowed,
        "stats": PlatformAction.VIEW_STATS in allowed,
        "authoring": PlatformAction.AUTHOR_PARCOURS in allowed,
    }
