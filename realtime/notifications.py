"""The bell across devices: the notifications among a person's durable `user:<id>` events.

A person's own topic carries many event types (a message, a reply in a followed discussion,
a class scheduled, but also live updates for open pages). An app declares which of its types
are notifications, and how each reads, with `register_notification` in its `ready()`: a
describer turns the event's data into a line of French, a link and what it is about, from
the data alone (no query per notification), or None when the event is not news to that
person (their own message, echoed to their other tabs).

How far someone has read is a sequence number of their topic (`NotificationsRead`), never a
time. The list is the topic's stored events, so it is as long as `REALTIME_RETENTION` keeps.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from .models import NotificationsRead, StoredEvent
from .selectors import last_seq


@dataclass(frozen=True)
class Notice:
    """How a notification reads: a line, where it leads, and the ids of what it is about."""

    text: str
    link: str
    about: dict[str, int | None] = field(default_factory=dict)


# (event data, the reader's user id) -> the notice, or None when it is not news to them.
Describe = Callable[[dict[str, Any], int], Notice | None]
_describers: dict[str, Describe] = {}

# Stored frames read at a time while looking for notifications among other events.
CHUNK = 200


def register_notification(event_type: str, describe: Describe) -> None:
    _describers[event_type] = describe


def notification_types() -> list[str]:
    return sorted(_describers)


@dataclass(frozen=True)
class Item:
    seq: int
    type: str
    notice: Notice


@dataclass(frozen=True)
class Page:
    items: list[Item]
    read_seq: int
    unread: int
    head: int
    # Pass as `before` for the next (older) page; None when there is none.
    next_before: int | None


def _topic(user_id: int) -> str:
    return f"user:{user_id}"


def _notices(
    user_id: int, *, after: int = 0, before: int | None = None
) -> Iterator[tuple[int, str, Notice]]:
    """The person's notifications with `after < seq < before`, newest first."""
    events = StoredEvent.objects.filter(topic=_topic(user_id), seq__gt=after)
    if before is not None:
        events = events.filter(seq__lt=before)
    upper = None
    while True:
        chunk = events if upper is None else events.filter(seq__lt=upper)
        rows = list(chunk.order_by("-seq").values_list("seq", "frame")[:CHUNK])
        for seq, frame in rows:
            event = json.loads(frame)
            describe = _describers.get(event.get("type"))
            notice = describe(event.get("data", {}), user_id) if describe else None
            if notice is not None:
                yield seq, event["type"], notice
        if len(rows) < CHUNK:
            return
        upper = rows[-1][0]


def read_marker(user_id: int) -> int:
    found = NotificationsRead.objects.filter(user_id=user_id).values_list("seq", flat=True)
    return found.first() or 0


def page(user_id: int, *, before: int | None = None, limit: int = 20) -> Page:
    """One page of the person's notifications, newest first, with the head read first."""
    head = last_seq(_topic(user_id))
    read = read_marker(user_id)
    items: list[Item] = []
    more = False
    for seq, event_type, notice in _notices(user_id, before=before):
        if seq > head:
            continue  # committed after the head was read: the live stream brings it
        if len(items) == limit:
            more = True
            break
        items.append(Item(seq, event_type, notice))
    unread = sum(1 for seq, _type, _notice in _notices(user_id, after=read) if seq <= head)
    return Page(items, read, unread, head, items[-1].seq if more else None)


@transaction.atomic
def mark_read(*, actor, seq: int) -> int:
    """Move the person's marker up to `seq` (never past their topic's head, never back);
    returns where it now stands."""
    head = last_seq(_topic(actor.pk))
    marker, _ = NotificationsRead.objects.select_for_update().get_or_create(user_id=actor.pk)
    wanted = min(seq, head)
    if wanted > marker.seq:
        marker.seq = wanted
        marker.save(update_fields=["seq"])
    return marker.seq
