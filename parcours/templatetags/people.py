"""`{{ membership|role_of }}`: a member's role named in their own form (formatrice,
formateur, or the neutral formateur·rice when they have not said)."""

from django import template

from ..french import role_name

register = template.Library()


@register.filter
def role_of(membership) -> str:
    profile = getattr(membership.user, "profile", None)
    return role_name(membership.role, profile.role_form if profile else "neutral")
