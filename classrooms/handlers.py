"""What a browser may send on `classroom:<id>`, each to the same service as the API."""

from __future__ import annotations

from typing import Any

from . import selectors, services


def _room(object_id: int):
    return selectors.get_classroom(object_id)


def chat(user: Any, object_id: int, data: dict) -> int | None:
    body = data.get("body")
    if not isinstance(body, str):
        raise services.invalid("data.body", "Le message doit être un texte.")
    return services.post_chat(room=_room(object_id), actor=user, body=body).seq


def hand(user: Any, object_id: int, data: dict) -> int | None:
    raised = data.get("raised")
    if not isinstance(raised, bool):
        raise services.invalid("data.raised", "« raised » doit valoir true ou false.")
    services.set_hand(room=_room(object_id), actor=user, raised=raised)
    return None


def reaction(user: Any, object_id: int, data: dict) -> int | None:
    emoji = data.get("emoji")
    if not isinstance(emoji, str):
        raise services.invalid("data.emoji", "Réaction inconnue.")
    services.react(room=_room(object_id), actor=user, emoji=emoji)
    return None


HANDLERS = {"chat.message": chat, "hand.set": hand, "reaction": reaction}
