"""Writing parcours: designers and administrators create and adapt their academy's parcours,
its sections and activities. National parcours are copied (`services.duplicate_parcours`),
never edited. Every function asks `policies` first and runs in one transaction."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext

from . import policies
from .errors import ErrorCode, ServiceError
from .models import Activity, ActivityCompletion, Parcours, Section
from .policies import PlatformAction

PARCOURS_FIELDS = {"title", "kind", "distance_minutes", "presence_minutes", "published"}
SECTION_FIELDS = {"title", "position"}
ACTIVITY_FIELDS = {"title", "kind", "estimated_minutes", "trainer_only", "position"}


def invalid(field: str, message: str) -> ServiceError:
    return ServiceError(ErrorCode.INVALID, message, {"field": field})


def _clean_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise invalid("title", gettext("Le titre ne peut pas être vide."))
    return title


def _academy_for(actor, academy_id: int | None) -> int:
    """The academy a new parcours belongs to: the one named, or the author's only one."""
    academies = policies.academies_granting(actor, PlatformAction.AUTHOR_PARCOURS)
    if academy_id is None and len(academies) == 1:
        academy_id = academies[0]
    if academy_id is None and academies:
        raise invalid("academy_id", gettext("Précisez l'académie du parcours."))
    policies.decide_in_academy(actor, PlatformAction.AUTHOR_PARCOURS, academy_id).raise_if_denied()
    return academy_id


@transaction.atomic
def create_parcours(
    *,
    actor,
    title: str,
    kind: str = Parcours.Kind.TUTORED,
    distance_minutes: int = 0,
    presence_minutes: int = 0,
    academy_id: int | None = None,
) -> Parcours:
    """An academic parcours of the author's academy, empty until sections are added."""
    return Parcours.objects.create(
        title=_clean_title(title),
        kind=kind,
        origin=Parcours.Origin.ACADEMIC,
        academy_id=_academy_for(actor, academy_id),
        distance_minutes=distance_minutes,
        presence_minutes=presence_minutes,
    )


def _apply(obj: Model, changes: dict, allowed: set[str]) -> list[str]:
    fields = [name for name in changes if name in allowed and name != "position"]
    for name in fields:
        value = changes[name]
        setattr(obj, name, _clean_title(value) if name == "title" else value)
    return fields


@transaction.atomic
def update_parcours(*, parcours: Parcours, actor, **changes) -> Parcours:
    policies.decide_author_parcours(actor, parcours).raise_if_denied()
    fields = _apply(parcours, changes, PARCOURS_FIELDS)
    if fields:
        parcours.save(update_fields=fields)
    return parcours


def _place(siblings: QuerySet, obj: Model, position: int | None) -> None:
    """Put `obj` at `position` (1-based; None or past the end: last) among `siblings` and
    number them 1..n again, so that the order shown is the order stored."""
    others = [s for s in siblings.order_by("position", "id") if s.pk != obj.pk]
    index = len(others) if position is None else max(0, min(position - 1, len(others)))
    others.insert(index, obj)
    _number(others)


def _number(items: list[Model]) -> None:
    for rank, item in enumerate(items, start=1):
        item.position = rank
    if items:
        type(items[0]).objects.bulk_update(items, ["position"])


@transaction.atomic
def create_section(
    *, parcours: Parcours, actor, title: str, position: int | None = None
) -> Section:
    policies.decide_author_parcours(actor, parcours).raise_if_denied()
    section = Section.objects.create(parcours=parcours, title=_clean_title(title))
    _place(parcours.sections.all(), section, position)
    return section


@transaction.atomic
def update_section(*, section: Section, actor, **changes) -> Section:
    policies.decide_author_parcours(actor, section.parcours).raise_if_denied()
    fields = _apply(section, changes, SECTION_FIELDS)
    if fields:
        section.save(update_fields=fields)
    if "position" in changes:
        _place(section.parcours.sections.all(), section, changes["position"])
    return section


def _refuse_if_completed(activities: QuerySet[Activity], what: str) -> None:
    """Participants' progress is theirs: what someone has done is not deleted under them."""
    if ActivityCompletion.objects.filter(activity__in=activities).exists():
        raise ServiceError(
            ErrorCode.CONFLICT,
            gettext("Des participants ont déjà terminé %(what)s : il reste en place.")
            % {"what": what},
        )


@transaction.atomic
def delete_section(*, section: Section, actor) -> None:
    policies.decide_author_parcours(actor, section.parcours).raise_if_denied()
    _refuse_if_completed(section.activities.all(), gettext("une activité de cette section"))
    parcours = section.parcours
    section.delete()
    _renumber(parcours.sections.all())


def _renumber(siblings: QuerySet) -> None:
    _number(list(siblings.order_by("position", "id")))


@transaction.atomic
def create_activity(
    *,
    section: Section,
    actor,
    title: str,
    kind: str = Activity.Kind.RESOURCE,
    estimated_minutes: int = 0,
    trainer_only: bool = False,
    position: int | None = None,
) -> Activity:
    policies.decide_author_parcours(actor, section.parcours).raise_if_denied()
    activity = Activity.objects.create(
        section=section,
        title=_clean_title(title),
        kind=kind,
        estimated_minutes=estimated_minutes,
        trainer_only=trainer_only,
    )
    _place(section.activities.all(), activity, position)
    return activity


@transaction.atomic
def update_activity(
    *, activity: Activity, actor, section: Section | None = None, **changes
) -> Activity:
    """Edit an activity; `section` moves it to another section of the same parcours."""
    policies.decide_author_parcours(actor, activity.section.parcours).raise_if_denied()
    fields = _apply(activity, changes, ACTIVITY_FIELDS)
    moved_from = None
    if section is not None and section.pk != activity.section_id:
        if section.parcours_id != activity.section.parcours_id:
            raise invalid("section_id", gettext("Cette section est celle d'un autre parcours."))
        moved_from, activity.section = activity.section, section
        fields.append("section")
    if fields:
        activity.save(update_fields=fields)
    if "position" in changes or moved_from is not None:
        _place(activity.section.activities.all(), activity, changes.get("position"))
    if moved_from is not None:
        _renumber(moved_from.activities.all())
    return activity


@transaction.atomic
def delete_activity(*, activity: Activity, actor) -> None:
    section = activity.section
    policies.decide_author_parcours(actor, section.parcours).raise_if_denied()
    _refuse_if_completed(Activity.objects.filter(pk=activity.pk), gettext("cette activité"))
    activity.delete()
    _renumber(section.activities.all())
