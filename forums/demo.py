"""Demo forums for the embedded default: two forums with a few discussions in a session."""

from django.db import transaction

from parcours.models import Activity, Membership, Session

from . import moderation, services
from .models import Forum


@transaction.atomic
def seed(session: Session) -> None:
    """Give `session` an announcement forum and a discussion forum (idempotent)."""
    if Forum.objects.filter(scope__session=session).exists():
        _link_activity(session)
        return
    members = Membership.objects.filter(session=session).select_related("user").order_by("id")
    trainer = members.filter(role=Membership.Role.TRAINER).first().user
    participants = [m.user for m in members.filter(role=Membership.Role.PARTICIPANT)[:3]]
    news = services.create_forum(
        scope=session.scope, actor=trainer, title="Annonces", kind=Forum.Kind.NEWS,
        description="<p>Les informations de l'équipe de formation.</p>",
    )  # fmt: skip
    welcome = services.start_discussion(
        forum=news,
        author=trainer,
        title="Bienvenue dans le parcours",
        body="<p>Bonjour à toutes et à tous ! La première classe virtuelle a lieu jeudi.</p>",
    )
    moderation.set_pinned(discussion=welcome, actor=trainer, pinned=True)
    forum = services.create_forum(
        scope=session.scope, actor=trainer, title="Vos pratiques de questionnement",
        kind=Forum.Kind.STANDARD,
        description="<p>Partagez comment vous questionnez vos élèves sur un texte lu.</p>",
    )  # fmt: skip
    first = services.start_discussion(
        forum=forum,
        author=participants[0],
        title="Questions avant, pendant ou après la lecture ?",
        body="<p>Au CE1, je pose mes questions <strong>après</strong> la lecture. Et vous ?</p>",
    )
    answer = services.reply(
        discussion=first,
        author=participants[1],
        body="<p>J'en pose aussi pendant : cela les aide à anticiper la suite.</p>",
    )
    services.reply(
        discussion=first,
        author=trainer,
        body="<p>Bonne idée : c'est la stratégie d'anticipation vue en section 2.</p>",
        parent_id=answer.pk,
        quote_id=answer.pk,
    )
    services.set_like(post=answer, user=participants[0], liked=True)
    services.start_discussion(
        forum=forum,
        author=participants[2],
        title="Des albums pour travailler l'implicite",
        body="<p>Je cherche des albums de cycle 2 riches en implicite : vos idées ?</p>",
    )
    _link_activity(session)


def _link_activity(session: Session) -> None:
    """The parcours' forum activity opens the discussion forum."""
    activity = Activity.objects.filter(
        section__parcours=session.parcours_id, kind=Activity.Kind.FORUM
    ).first()
    Forum.objects.filter(
        scope__session=session, kind=Forum.Kind.STANDARD, activity__isnull=True
    ).update(activity=activity)
