"""The core domain: academies, parcours and their sessions, who takes part and how far.

Trust frame: no model here records time spent, connection times, clicks or page views.
The only trace of presence is `Profile.last_visit`, a date. `tests/parcours/test_no_tracking.py`
walks every model against the reviewed list in `parcours/trust.py`.
"""

import hashlib
import secrets
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Academy(models.Model):
    class SchoolZone(models.TextChoices):
        A = "A", "Zone A"
        B = "B", "Zone B"
        C = "C", "Zone C"
        CORSE = "Corse", "Corse"
        REUNION = "Réunion", "La Réunion"
        MAYOTTE = "Mayotte", "Mayotte"
        GUADELOUPE = "Guadeloupe", "Guadeloupe"
        MARTINIQUE = "Martinique", "Martinique"
        GUYANE = "Guyane", "Guyane"
        NOUVELLE_CALEDONIE = "Nouvelle Calédonie", "Nouvelle-Calédonie"
        POLYNESIE = "Polynésie", "Polynésie française"

    code = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    timezone = models.CharField(max_length=64, default="Europe/Paris")
    school_zone = models.CharField(max_length=32, choices=SchoolZone.choices)
    # Subdivision code of the `holidays` package for France ("" for mainland France,
    # "57" for Moselle, "RE" for La Réunion...).
    holiday_subdivision = models.CharField(max_length=16, blank=True)

    class Meta:
        verbose_name_plural = "academies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    academy = models.ForeignKey(Academy, null=True, blank=True, on_delete=models.SET_NULL)
    school = models.CharField(max_length=200, blank=True)
    circonscription = models.CharField(max_length=120, blank=True)

    class RoleForm(models.TextChoices):
        NEUTRAL = "neutral", _("forme neutre (formateur·rice)")
        FEMININE = "feminine", _("au féminin (formatrice)")
        MASCULINE = "masculine", _("au masculin (formateur)")

    # How the person's roles are named: their own choice, never guessed from a first name;
    # the neutral form until they say.
    role_form = models.CharField(max_length=10, choices=RoleForm.choices, default="neutral")
    # The only trace of presence the platform keeps: a date, written at most once a day.
    last_visit = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Profil de {self.user}"


class PlatformRole(models.Model):
    """A role held across an academy (or nationally), outside any session."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("administrateur")
        INSPECTOR = "inspector", _("inspecteur")
        DESIGNER = "designer", _("concepteur")
        NATIONAL = "national", _("national")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="platform_roles"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    academy = models.ForeignKey(Academy, null=True, blank=True, on_delete=models.CASCADE)
    circonscription = models.CharField(max_length=120, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "academy", "circonscription"], name="unique_platform_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} {self.academy or 'national'}"


class Parcours(models.Model):
    class Kind(models.TextChoices):
        TUTORED = "tutored", _("parcours tutoré")
        SELF_ENROLMENT = "self_enrolment", _("parcours en autoinscription")
        COLLABORATIVE_SPACE = "collaborative_space", _("espace collaboratif")

    class Origin(models.TextChoices):
        NATIONAL = "national", _("national")
        ACADEMIC = "academic", _("académique")

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=24, choices=Kind.choices, default=Kind.TUTORED)
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.ACADEMIC)
    academy = models.ForeignKey(Academy, null=True, blank=True, on_delete=models.PROTECT)
    distance_minutes = models.PositiveIntegerField(default=0)
    presence_minutes = models.PositiveIntegerField(default=0)
    # Published in the inter-academic offer: designers of other academies may copy it.
    published = models.BooleanField(default=False)
    duplicated_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )

    class Meta:
        verbose_name_plural = "parcours"
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def total_minutes(self) -> int:
        return self.distance_minutes + self.presence_minutes


class Section(models.Model):
    parcours = models.ForeignKey(Parcours, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Activity(models.Model):
    class Kind(models.TextChoices):
        """What an activity is; each kind opens its own tool (`parcours/activity_links.py`)."""

        RESOURCE = "resource", _("ressource")
        FORUM = "forum", _("forum")
        VIRTUAL_CLASS = "virtual_class", _("classe virtuelle")
        COLLABORATIVE = "collaborative", _("espace collaboratif")
        QUESTIONNAIRE = "questionnaire", _("questionnaire")

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="activities")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.RESOURCE)
    position = models.PositiveIntegerField(default=0)
    estimated_minutes = models.PositiveIntegerField(default=0)
    trainer_only = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Session(models.Model):
    class State(models.TextChoices):
        PLANNED = "planned", _("à venir")
        OPEN = "open", _("ouverte")
        CLOSED = "closed", _("terminée")

    parcours = models.ForeignKey(Parcours, on_delete=models.PROTECT, related_name="sessions")
    academy = models.ForeignKey(Academy, on_delete=models.PROTECT, related_name="sessions")
    title = models.CharField(max_length=200)
    circonscription = models.CharField(max_length=120, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    # The trainer's choice: whether content stays readable once the session has ended.
    content_open_after_end = models.BooleanField(default=True)

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="session_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        creating = self._state.adding
        super().save(*args, **kwargs)
        if creating:
            Scope.objects.get_or_create(session=self)

    def has_ended(self, today: date | None = None) -> bool:
        """A session ends when closed by hand or when its last day has passed."""
        today = today or timezone.localdate()
        return self.state == self.State.CLOSED or self.ends_on < today


class Space(models.Model):
    """A collaborative space: members who work together outside a parcours timeline.

    Academic spaces gather one academy's people, national ones (the "entre pairs" network)
    anyone; both follow their academy's calendar. A session's own space has no members of
    its own: the session's members are its members (`parcours.policies` maps the roles).
    """

    class Visibility(models.TextChoices):
        OPEN = "open", _("ouvert")
        ON_REQUEST = "on_request", _("sur demande")
        INVITATION = "invitation", _("sur invitation")

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    origin = models.CharField(
        max_length=16, choices=Parcours.Origin.choices, default=Parcours.Origin.ACADEMIC
    )
    academy = models.ForeignKey(Academy, on_delete=models.PROTECT, related_name="spaces")
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.ON_REQUEST
    )
    session = models.OneToOneField(
        Session, null=True, blank=True, on_delete=models.CASCADE, related_name="own_space"
    )
    # An archived space stays readable and is frozen like an ended session.
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        creating = self._state.adding
        super().save(*args, **kwargs)
        if creating:
            Scope.objects.get_or_create(space=self)

    def has_ended(self, today: date | None = None) -> bool:
        if self.session_id is not None:
            return self.session.has_ended(today)
        return self.archived

    @property
    def content_open_after_end(self) -> bool:
        return self.session.content_open_after_end if self.session_id is not None else True


class Scope(models.Model):
    """What forums, meetup series, classes, recordings and co-working tools attach to: one
    session or one collaborative space, exactly one. Created with its owner.

    Attach a thing with `scope = ForeignKey(Scope, ...)` and ask
    `policies.decide(user, action, thing.scope)`: the same call answers for both owners.
    """

    session = models.OneToOneField(
        Session, null=True, blank=True, on_delete=models.CASCADE, related_name="scope"
    )
    space = models.OneToOneField(
        Space, null=True, blank=True, on_delete=models.CASCADE, related_name="scope"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(session__isnull=True) ^ models.Q(space__isnull=True),
                name="scope_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return str(self.owner)

    @property
    def owner(self) -> Session | Space:
        return self.session if self.session_id is not None else self.space

    @property
    def academy(self) -> Academy:
        return self.owner.academy


class SpaceMembership(models.Model):
    class Role(models.TextChoices):
        ANIMATOR = "animator", _("animateur")
        MEMBER = "member", _("membre")

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="space_memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "user"], name="unique_space_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.space}"


class JoinRequest(models.Model):
    """Someone asks to join a space "sur demande"; its animators accept or refuse."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    message = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "user"], name="unique_join_request"),
        ]


class Membership(models.Model):
    class Role(models.TextChoices):
        PARTICIPANT = "participant", _("participant")
        TUTOR = "tutor", _("tuteur")
        TRAINER = "trainer", _("formateur")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    # Set by a trainer when they mark the training finished; printed on the attestation.
    finished_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="unique_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.session}"


class ActivityCompletion(models.Model):
    """An activity a participant marked done. Deliberately carries no timestamp."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="completions")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="completions")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "activity"], name="unique_completion"),
        ]


class Attestation(models.Model):
    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="attestation"
    )
    number = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    issued_on = models.DateField()


class HelpRequest(models.Model):
    """A member asks the academy's administrators to come into their session: an
    administrator visits "at the request of those concerned", with a grant against it."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="help_requests")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="help_requests"
    )
    message = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]


class AccessGrant(models.Model):
    """An administrator's explicit, time-limited right to enter one session, opened against
    a member's help request."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="access_grants")
    grantee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_grants"
    )
    reason = models.TextField()
    expires_at = models.DateTimeField()
    help_request = models.ForeignKey(
        HelpRequest, null=True, on_delete=models.SET_NULL, related_name="grants"
    )

    def is_active(self, now=None) -> bool:
        return self.expires_at > (now or timezone.now())


class AuditEntry(models.Model):
    """Who entered a session from outside it, why, and what they read there. Readable by its
    trainers. A read is written once per object and day (`day`, `object_kind`, `object_id`)."""

    class Action(models.TextChoices):
        HELP_REQUESTED = "help_requested", _("demande d'aide")
        GRANT_CREATED = "grant_created", _("accès accordé")
        ENTERED = "entered", _("entrée dans la session")
        READ = "read", _("lecture")
        MEMBERS_EXPORTED = "members_exported", _("export de la liste des participants")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audit_entries"
    )
    action = models.CharField(max_length=24, choices=Action.choices)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)
    # What was read or entered ("discussion", 12), and the day: the once-a-day key.
    object_kind = models.CharField(max_length=32, blank=True)
    object_id = models.BigIntegerField(null=True)
    day = models.DateField(null=True)
    grant = models.ForeignKey(AccessGrant, null=True, on_delete=models.SET_NULL, related_name="+")
    help_request = models.ForeignKey(
        HelpRequest, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        constraints = [
            models.UniqueConstraint(
                fields=["session", "actor", "action", "object_kind", "object_id", "day"],
                condition=models.Q(day__isnull=False),
                name="audit_once_per_object_and_day",
            )
        ]


def password_stamp(user) -> str:
    """A fingerprint of the user's password hash: it changes whenever the password does."""
    return hashlib.sha256(user.password.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API, named by its owner. Only its hash is stored.

    It dies when it expires, when its owner revokes it, when the password it was issued
    under changes (`password_stamp`), and with its owner's account.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=100, blank=True)
    expires_at = models.DateTimeField()
    password_stamp = models.CharField(max_length=64)

    class Meta:
        ordering = ["-expires_at", "-id"]

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name: str = "") -> str:
        key = secrets.token_urlsafe(32)
        lifetime = timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)
        cls.objects.create(
            user=user,
            key_hash=cls.hash_key(key),
            name=name,
            expires_at=timezone.now() + lifetime,
            password_stamp=password_stamp(user),
        )
        return key

    def is_alive(self) -> bool:
        return (
            self.expires_at > timezone.now()
            and self.user.is_active
            and self.password_stamp == password_stamp(self.user)
        )
