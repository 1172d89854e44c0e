"""Demo co-working in the session's own space: a document, a mind map, a word cloud and a
link. Idempotent: a space that already has documents is left as it is."""

from django.db import transaction
from pycrdt import Doc, Map, XmlElement, XmlText

from parcours.models import Membership, Session, Space

from . import documents, resources, richtext, wordclouds
from .models import Document


def _write_text(document: Document, paragraphs: list[str]) -> None:
    doc = Doc()
    for text in paragraphs:
        richtext.fragment(doc).children.append(XmlElement("paragraph", {}, [XmlText(text)]))
    documents.append_update(document.pk, doc.get_update())


def _write_map(document: Document, ideas: dict[str, tuple[str, str]]) -> None:
    doc = Doc()
    nodes = doc.get("nodes", type=Map)
    for order, (key, (label, parent)) in enumerate(ideas.items()):
        nodes[key] = Map({"label": label, "parent": parent, "order": order})
    documents.append_update(document.pk, doc.get_update())


@transaction.atomic
def seed(session: Session) -> None:
    space = Space.objects.filter(session=session).first()
    if space is None or space.scope.documents.exists():
        return
    trainer = (
        Membership.objects.filter(session=session, role=Membership.Role.TRAINER)
        .select_related("user")
        .first()
    )
    members = Membership.objects.filter(session=session, role=Membership.Role.PARTICIPANT)
    if trainer is None:
        return
    scope = space.scope
    notes = documents.create_document(actor=trainer.user, scope=scope, title="Notes communes")
    _write_text(notes, ["Ce que nous retenons de la séance :", "Lire à voix haute chaque jour."])
    ideas = documents.create_document(
        actor=trainer.user, scope=scope, title="Enseigner la lecture", kind="mindmap"
    )
    _write_map(
        ideas,
        {
            "a": ("Compréhension", "root"),
            "b": ("Fluence", "root"),
            "c": ("Lecture offerte", "a"),
            "d": ("Chronomètre", "b"),
        },
    )
    cloud = wordclouds.create_cloud(
        actor=trainer.user, scope=scope, question="Un mot pour dire la lecture en classe ?"
    )
    for member, word in zip(
        members[:4], ["plaisir", "Plaisirs", "partage", "écoute"], strict=False
    ):
        wordclouds.add_word(actor=member.user, cloud=cloud, word=word)
    resources.share_link(
        actor=trainer.user,
        scope=scope,
        title="Éduscol : lecture et compréhension de l'écrit",
        url="https://eduscol.education.fr/",
    )
