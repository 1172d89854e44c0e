"""How a direct message reads in the bell (`realtime.notifications`)."""

from typing import Any

from django.urls import reverse

from parcours.french import elide
from realtime.notifications import Notice


def received(data: dict[str, Any], user_id: int) -> Notice | None:
    if data["sender_id"] == user_id:
        return None  # one's own message, echoed to one's other tabs
    return Notice(
        f"Message {elide('de', data['sender_name'])} ({data['parcours']})",
        reverse("messaging:inbox"),
        {"message_id": data["id"], "session_id": data["session_id"]},
    )
