"""How a scheduled class reads in the bell (`realtime.notifications`)."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import formats

from realtime.notifications import Notice


def poll_opened(data: dict[str, Any], user_id: int) -> Notice:
    return Notice(
        f"Nouveau sondage : {data['title']}",
        data["url"],
        {"poll_id": data["poll_id"], "session_id": data["session_id"]},
    )


def class_scheduled(data: dict[str, Any], user_id: int) -> Notice:
    starts = datetime.fromisoformat(data["starts_at"]).astimezone(ZoneInfo(data["timezone"]))
    when = formats.date_format(starts, "l j F Y à H:i")
    if data.get("session_id") is not None:
        link = reverse("parcours:session", kwargs={"session_id": data["session_id"]})
    else:
        link = reverse("collab:space", kwargs={"space_id": data["space_id"]})
    return Notice(
        f"Classe virtuelle planifiée : {data['title']}, {when}",
        link,
        {
            "class_id": data["class_id"],
            "session_id": data.get("session_id"),
            "space_id": data.get("space_id"),
        },
    )
