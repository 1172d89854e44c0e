"""What a browser may send on `classroom:<id>`, each to the same service as the API.

Chat and hands write rows (durable tier: the gateway's database pool); a reaction is only
relayed (fast tier: whether this person may take part was asked when they subscribed).
"""

from __future__ import annotations

from realtime import relay
from realtime.topics import Ephemeral, Sender

from . import events, selectors, services


def chat(sender: Sender, data: dict) -> None:
    body = data.get("body")
    if not isinstance(body, str):
        raise services.invalid("data.body", "Le message doit être un texte.")
    room = selectors.get_classroom(sender.object_id)
    services.post_chat(room=room, actor=sender.user, body=body)


def hand(sender: Sender, data: dict) -> None:
    raised = data.get("raised")
    if not isinstance(raised, bool):
        raise services.invalid("data.raised", "« raised » doit valoir true ou false.")
    room = selectors.get_classroom(sender.object_id)
    services.set_hand(room=room, actor=sender.user, raised=raised)


async def reaction(sender: Sender, data: dict | bytes) -> None:
    emoji = data.get("emoji") if isinstance(data, dict) else None
    if emoji not in services.REACTIONS:
        raise services.invalid("data.emoji", "Réaction inconnue.")
    event = events.Reacted(user_id=sender.user_id, emoji=emoji)
    await relay(str(sender.topic), event, sender=sender)


DURABLE = {"chat.message": chat, "hand.set": hand}
EPHEMERAL = {"reaction": Ephemeral(handler=reaction, rate=2.0, burst=6)}
