"""Accounts created by an academy's administrators for people who have none yet.

The administrator never chooses nor sees a password: the new account gets an activation
link (Django's password-reset token, valid once and for `PASSWORD_RESET_TIMEOUT`) that she
hands over, and its owner sets their own password there.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext

from . import policies
from .errors import ErrorCode, ServiceError
from .models import Profile
from .policies import PlatformAction

LIMITS = {"first_name": 150, "last_name": 150, "school": 200, "circonscription": 120}


@dataclass(frozen=True)
class NewAccount:
    user: object
    activation_path: str


def invalid(field: str, message: str) -> ServiceError:
    return ServiceError(ErrorCode.INVALID, message, {"field": field})


def clean_account_fields(
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str = "",
    school: str = "",
    circonscription: str = "",
) -> dict:
    """The fields of a new account, trimmed and checked; an error names the field."""
    values = {
        "username": username.strip(),
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        "email": email.strip(),
        "school": school.strip(),
        "circonscription": circonscription.strip(),
    }
    try:
        UnicodeUsernameValidator()(values["username"])
    except ValidationError:
        raise invalid(
            "username",
            gettext("Identifiant invalide : lettres, chiffres et @ . + - _ seulement."),
        ) from None
    if not 0 < len(values["username"]) <= 150:
        raise invalid("username", gettext("L'identifiant compte de 1 à 150 caractères."))
    for field in ("first_name", "last_name"):
        if not values[field]:
            raise invalid(field, gettext("Le prénom et le nom sont nécessaires."))
    for field, limit in LIMITS.items():
        if len(values[field]) > limit:
            raise invalid(field, gettext("%(limit)d caractères au plus.") % {"limit": limit})
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            raise invalid("email", gettext("Adresse électronique invalide.")) from None
    if get_user_model().objects.filter(username=values["username"]).exists():
        raise ServiceError(
            ErrorCode.CONFLICT,
            gettext("L'identifiant « %(id)s » est déjà pris.") % {"id": values["username"]},
            {"field": "username"},
        )
    return values


def default_academy(actor, academy_id: int | None) -> int | None:
    academies = policies.academies_granting(actor, PlatformAction.CREATE_ACCOUNT)
    return academies[0] if academy_id is None and len(academies) == 1 else academy_id


def activation_path(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("parcours:activate", kwargs={"uidb64": uid, "token": token})


def insert_account(values: dict, academy_id: int) -> NewAccount:
    """Write an account whose fields `clean_account_fields` accepted (no policy check)."""
    user = get_user_model().objects.create_user(
        username=values["username"],
        email=values["email"],
        first_name=values["first_name"],
        last_name=values["last_name"],
    )  # no password: unusable until activated
    Profile.objects.create(
        user=user,
        academy_id=academy_id,
        school=values["school"],
        circonscription=values["circonscription"],
    )
    return NewAccount(user=user, activation_path=activation_path(user))


@transaction.atomic
def create_account(*, actor, academy_id: int | None = None, **fields: str) -> NewAccount:
    """An account in the administrator's academy, to be activated by its owner."""
    academy_id = default_academy(actor, academy_id)
    policies.decide_in_academy(actor, PlatformAction.CREATE_ACCOUNT, academy_id).raise_if_denied()
    return insert_account(clean_account_fields(**fields), academy_id)


def set_role_form(*, actor, role_form: str) -> Profile:
    """How one's own roles are named (formatrice, formateur, or the neutral form): the
    person's own choice, and nothing else of them is kept for it."""
    if role_form not in Profile.RoleForm.values:
        raise invalid("role_form", gettext("Forme inconnue : neutral, feminine ou masculine."))
    profile, _ = Profile.objects.get_or_create(user=actor)
    profile.role_form = role_form
    profile.save(update_fields=["role_form"])
    return profile
