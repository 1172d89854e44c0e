"""How a direct message reads in the bell (`realtime.notifications`)."""

from typing import Any

from django.urls import reverse

from parcours.french import elide
from realtime.notifications import Notice


def received(data: dict[str, Any], user_id: int) -> Notice | None:
    if data["sender_id"] == user_id:
        return None  # one's own message, echoed to one's other tabs
    # Events stored before messages named their session by its title carry the parcours.
    where = data.get("session_title") or data["parcours"]
    return Notice(
        f"Message {elide('de', data['sender_name'])} ({where})",
        reverse("messaging:conversation", kwargs={"user_id": data["sender_id"]}),
        {"message_id": data["id"], "session_id": data["session_id"]},
    )
