"""Demo classroom: an open ad-hoc room of the demo session, where the trainer welcomes people.

Idempotent: a session that already has a room is left as it is.
"""

from django.db import transaction

from parcours.models import Membership, Session

from . import services
from .models import Classroom


@transaction.atomic
def seed(session: Session) -> None:
    trainer = (
        Membership.objects.filter(session=session, role=Membership.Role.TRAINER)
        .select_related("user")
        .first()
    )
    if trainer is None or Classroom.objects.filter(scope__session=session).exists():
        return
    room = services.create_room(
        scope=session.scope, actor=trainer.user, title="Permanence de la formatrice"
    )
    services.post_chat(
        room=room,
        actor=trainer.user,
        body="Bienvenue ! Activez micro et caméra, levez la main pour prendre la parole.",
    )
