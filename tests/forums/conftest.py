"""Forums in the `world` session, built through the services as a user would build them."""

from dataclasses import dataclass

import pytest

from forums import services
from forums.models import Forum


@dataclass
class Board:
    """A standard forum with one discussion: an opening post and a reply by someone else."""

    forum: Forum
    discussion: object
    opening: object
    reply: object


def make_board(world, *, kind: str = "standard") -> Board:
    forum = services.create_forum(
        scope=world.session.scope, actor=world.trainer, title=f"Forum {kind}", kind=kind,
        description="<p>Présentation du forum</p>" if kind == "single" else "",
    )  # fmt: skip
    if kind == "single":
        discussion = forum.discussions.get()
        author = world.trainer
    else:
        author = world.trainer if kind == "news" else world.participant
        discussion = services.start_discussion(
            forum=forum, author=author, title="Vos pratiques", body="<p>Comment faites-vous ?</p>"
        )
    reply = services.reply(
        discussion=discussion, author=world.other_participant, body="<p>Je questionne.</p>"
    )
    return Board(forum, discussion, discussion.posts.order_by("id").first(), reply)


@pytest.fixture
def board(world) -> Board:
    return make_board(world)
