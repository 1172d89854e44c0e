"""How the forums' notifications read in the bell (`realtime.notifications`)."""

from typing import Any

from django.urls import reverse

from realtime.notifications import Notice


def _post_link(data: dict[str, Any]) -> str:
    page = reverse("forums:discussion", kwargs={"discussion_id": data["discussion_id"]})
    return f"{page}#post-{data['post_id']}"


def reply(data: dict[str, Any], user_id: int) -> Notice:
    return Notice(
        f"{data['author_name']} a répondu dans « {data['discussion_title']} »",
        _post_link(data),
        {"discussion_id": data["discussion_id"], "post_id": data["post_id"]},
    )


def likes(data: dict[str, Any], user_id: int) -> Notice:
    count = data["like_count"]
    text = (
        f"Votre message a reçu {count} mentions « j'aime »"
        if count > 1
        else "Votre message a reçu une mention « j'aime »"
    )
    return Notice(
        text, _post_link(data), {"discussion_id": data["discussion_id"], "post_id": data["post_id"]}
    )
