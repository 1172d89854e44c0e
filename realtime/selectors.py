"""Reads of the outbox: where a topic stands, and what a resuming client missed."""

from __future__ import annotations

from dataclasses import dataclass

from .models import StoredEvent, TopicSequence


def last_seq(topic: str) -> int:
    """The last sequence number committed on `topic` (0 before its first event)."""
    found = TopicSequence.objects.filter(topic=topic).values_list("last_seq", flat=True).first()
    return found or 0


def frames_between(topic: str, after: int, up_to: int | None = None) -> list[tuple[int, str]]:
    """Stored (seq, frame) pairs with `after < seq <= up_to`, in order."""
    events = StoredEvent.objects.filter(topic=topic, seq__gt=after)
    if up_to is not None:
        events = events.filter(seq__lte=up_to)
    return list(events.order_by("seq").values_list("seq", "frame"))


@dataclass(frozen=True)
class Replay:
    frames: list[tuple[int, str]]
    # True when events after `since` were pruned (or `since` is ahead of the topic): the
    # client must reload the state over HTTP and continue from `last_seq`.
    resync: bool
    last_seq: int


def replay(topic: str, since: int) -> Replay:
    """Everything after `since` on `topic`, or a resync when part of it is no longer kept."""
    current = last_seq(topic)
    if since > current:
        return Replay([], True, current)
    frames = frames_between(topic, since)
    if current > since and (not frames or frames[0][0] != since + 1):
        return Replay([], True, current)
    return Replay(frames, False, frames[-1][0] if frames else since)


def heads(topics: list[str]) -> dict[str, int]:
    """Each topic's last committed sequence number (0 before its first event), in one query:
    what an API read returns beside its state, so a client subscribes with `since` from it."""
    found = dict(TopicSequence.objects.filter(topic__in=topics).values_list("topic", "last_seq"))
    return {topic: found.get(topic, 0) for topic in topics}
