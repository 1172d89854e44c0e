"""Word clouds: a question, the words members give, the cloud everyone sees live.

Words are normalised so that "Écoute", "écoutes" and " ECOUTE " count as one: case, accents,
surrounding punctuation and spaces, and French plurals kept simple (a final -s or -x dropped,
-aux read as -al, -eaux as -eau). The cloud is counted from the rows each time it is read
(`cloud`), and each new word publishes its new count on `wordcloud:<id>`.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils.translation import gettext

from parcours import audit, policies
from parcours.errors import ErrorCode, ServiceError, not_found
from parcours.models import Scope
from parcours.policies import Action, Decision
from realtime import publish

from .events import CloudClosed, WordCounted, WordHidden
from .models import HiddenWord, WordCloud, WordEntry

MAX_WORD = 40


def normalise(word: str) -> str:
    text = unicodedata.normalize("NFKD", word.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^\w' -]+", " ", text.replace("\x00", "")).strip(" '-_")
    text = " ".join(text.split())
    if len(text) > 4 and text.endswith("eaux"):
        return text[:-1]
    if len(text) > 4 and text.endswith("aux"):
        return text[:-3] + "al"
    if len(text) > 3 and text[-1] in "sx" and not text.endswith(("ss", "us", "is")):
        return text[:-1]
    return text


def _clean_word(raw: str) -> tuple[str, str]:
    word = " ".join(str(raw).replace("\x00", "").split())
    normal = normalise(word)
    if not normal:
        raise ServiceError(ErrorCode.INVALID, gettext("Mot vide."), {"field": "word"})
    if len(word) > MAX_WORD:
        raise ServiceError(
            ErrorCode.INVALID, gettext("%s caractères au plus.") % MAX_WORD, {"field": "word"}
        )
    return word, normal


def topic(cloud: WordCloud) -> str:
    return f"wordcloud:{cloud.pk}"


def get_cloud(cloud_id: int) -> WordCloud:
    found = (
        WordCloud.objects.select_related(
            "scope__session__academy", "scope__space__session", "scope__space__academy"
        )
        .filter(pk=cloud_id)
        .first()
    )
    if found is None:
        raise not_found("nuage", cloud_id)
    return found


def readable_cloud(user, cloud_id: int) -> WordCloud:
    cloud = get_cloud(cloud_id)
    decision = policies.require(user, Action.READ_CONTRIBUTIONS, cloud.scope)
    audit.record_read(actor=user, decision=decision, kind="wordcloud", object_id=cloud_id)
    return cloud


def topic_decision(user, cloud_id: int) -> Decision:
    """May `user` follow `wordcloud:<id>` live? Never raises."""
    cloud = WordCloud.objects.select_related("scope").filter(pk=cloud_id).first()
    if cloud is None:
        return Decision(False, ErrorCode.NOT_FOUND, gettext("Nuage introuvable."))
    return policies.decide(user, Action.READ_CONTRIBUTIONS, cloud.scope)


def clouds_in(user, scope: Scope) -> list[WordCloud]:
    decision = policies.require(user, Action.READ_CONTRIBUTIONS, scope)
    audit.record_read(actor=user, decision=decision, kind="wordclouds", object_id=scope.pk)
    return list(WordCloud.objects.filter(scope=scope))


@transaction.atomic
def create_cloud(*, actor, scope: Scope, question: str, max_words: int = 3, anonymous=True):
    policies.require(actor, Action.LEAD_ACTIVITIES, scope)
    text = " ".join(str(question).replace("\x00", "").split())
    if not text:
        raise ServiceError(ErrorCode.INVALID, gettext("Question vide."), {"field": "question"})
    return WordCloud.objects.create(
        scope=scope, question=text[:300], max_words=max_words, anonymous=anonymous
    )


def _count(cloud: WordCloud, normal: str) -> int:
    return WordEntry.objects.filter(cloud=cloud, normal=normal).count()


@transaction.atomic
def add_word(*, actor, cloud: WordCloud, word: str) -> WordEntry:
    policies.require(actor, Action.CONTRIBUTE, cloud.scope)
    if cloud.closed:
        raise ServiceError(ErrorCode.FROZEN, gettext("Ce nuage est clos."))
    word, normal = _clean_word(word)
    # Row-locked cloud: one member's concurrent submissions cannot pass the limit together.
    WordCloud.objects.select_for_update().filter(pk=cloud.pk).first()
    given = WordEntry.objects.filter(cloud=cloud, author=actor)
    if given.filter(normal=normal).exists():
        raise ServiceError(ErrorCode.CONFLICT, gettext("Vous avez déjà donné ce mot."))
    if given.count() >= cloud.max_words:
        raise ServiceError(
            ErrorCode.CONFLICT,
            gettext("%s mots au plus par personne.") % cloud.max_words,
            {"max_words": cloud.max_words},
        )
    try:
        with transaction.atomic():
            entry = WordEntry.objects.create(cloud=cloud, author=actor, word=word, normal=normal)
    except IntegrityError as exc:
        raise ServiceError(ErrorCode.CONFLICT, gettext("Vous avez déjà donné ce mot.")) from exc
    shown = _display_words(cloud, [normal]).get(normal, word)
    publish(
        topic(cloud),
        WordCounted(cloud_id=cloud.pk, normal=normal, word=shown, count=_count(cloud, normal)),
    )
    return entry


@transaction.atomic
def remove_word(*, actor, cloud: WordCloud, normal: str) -> None:
    """A member takes back one of their words."""
    policies.require(actor, Action.CONTRIBUTE, cloud.scope)
    deleted, _ = WordEntry.objects.filter(cloud=cloud, author=actor, normal=normal).delete()
    if not deleted:
        raise not_found("mot", normal)
    shown = _display_words(cloud, [normal]).get(normal, normal)
    publish(
        topic(cloud),
        WordCounted(cloud_id=cloud.pk, normal=normal, word=shown, count=_count(cloud, normal)),
    )


@transaction.atomic
def hide_word(*, actor, cloud: WordCloud, normal: str, hidden: bool = True) -> None:
    policies.require(actor, Action.LEAD_ACTIVITIES, cloud.scope)
    normal = normalise(normal)
    if hidden:
        HiddenWord.objects.get_or_create(cloud=cloud, normal=normal)
    else:
        HiddenWord.objects.filter(cloud=cloud, normal=normal).delete()
    publish(topic(cloud), WordHidden(cloud_id=cloud.pk, normal=normal, hidden=hidden))


@transaction.atomic
def close_cloud(*, actor, cloud: WordCloud, closed: bool = True) -> None:
    policies.require(actor, Action.LEAD_ACTIVITIES, cloud.scope)
    WordCloud.objects.filter(pk=cloud.pk).update(closed=closed)
    cloud.closed = closed
    publish(topic(cloud), CloudClosed(cloud_id=cloud.pk, closed=closed))


def _display_words(cloud: WordCloud, normals: list[str] | None = None) -> dict[str, str]:
    """Each normalised word as most people wrote it (ties: the first written)."""
    rows = WordEntry.objects.filter(cloud=cloud)
    if normals is not None:
        rows = rows.filter(normal__in=normals)
    tally: dict[str, dict[str, int]] = {}
    for normal, word in rows.order_by("id").values_list("normal", "word"):
        forms = tally.setdefault(normal, {})
        forms[word] = forms.get(word, 0) + 1
    return {normal: max(forms, key=forms.get) for normal, forms in tally.items()}


def cloud(viewer, cloud: WordCloud) -> dict:
    """The cloud as `viewer` sees it: counts per word; hidden words only for animators;
    authors only in a nominative cloud, only for animators."""
    leads = policies.can(viewer, Action.LEAD_ACTIVITIES, cloud.scope)
    hidden = set(HiddenWord.objects.filter(cloud=cloud).values_list("normal", flat=True))
    counts = dict(
        WordEntry.objects.filter(cloud=cloud)
        .values("normal")
        .annotate(n=Count("id"))
        .values_list("normal", "n")
    )
    shown = _display_words(cloud)
    authors: dict[str, list[str]] = {}
    if leads and not cloud.anonymous:
        from parcours.selectors import display_name

        for entry in WordEntry.objects.filter(cloud=cloud).select_related("author"):
            authors.setdefault(entry.normal, []).append(display_name(entry.author))
    words = [
        {
            "normal": normal,
            "word": shown[normal],
            "count": count,
            "hidden": normal in hidden,
            "authors": authors.get(normal) if leads and not cloud.anonymous else None,
        }
        for normal, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        if leads or normal not in hidden
    ]
    mine = (
        list(WordEntry.objects.filter(cloud=cloud, author=viewer).values_list("normal", flat=True))
        if viewer.is_authenticated
        else []
    )
    return {
        "id": cloud.pk,
        "question": cloud.question,
        "max_words": cloud.max_words,
        "anonymous": cloud.anonymous,
        "closed": cloud.closed,
        "words": words,
        "mine": mine,
    }
