"""Server peers: a server-side component (a media worker) taking part in a topic's fast tier.

A peer follows one topic under a name (`sfu`); clients address it as they address a socket,
`{"op": "send", "topic": ..., "type": ..., "to": "sfu", "data": ...}`, and it answers one
socket by its connection id. It receives, in order, the ephemeral frames of its `types`
(those sent to it and the topic's broadcasts, `connection.left` included when the kind
announces connections), never durable ones. It works in any process that runs an event loop:
in daphne with the embedded default, in a worker process over Redis. One peer of a name per
topic: the app decides which worker owns which topic.

    peer = await attach("classroom:12", "sfu", types={"rtc.offer", "rtc.ice"})
    async for frame in peer:          # PeerFrame(topic, type, data, sender, user_id)
        await peer.send(RtcAnswer(sdp=...), to=frame.sender)
    await peer.close()
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .events import Event
from .relaying import deliver, unpack
from .topics import TOPIC_PATTERN

logger = logging.getLogger(__name__)

# A peer's name never contains the dot of a connection id, so the two cannot collide.
PEER_NAME = re.compile(r"[a-z][a-z0-9_-]{0,30}")


@dataclass(frozen=True, slots=True)
class PeerFrame:
    topic: str
    type: str
    data: dict | bytes
    # The connection id of the socket (or the name of the peer) that sent it.
    sender: str | None
    user_id: int | None


class Peer:
    def __init__(self, topic: str, name: str, types: Iterable[str], queue: int) -> None:
        self.topic, self.name, self.id = topic, name, name
        self.types = frozenset(types)
        self.inbox: asyncio.Queue[PeerFrame] = asyncio.Queue(maxsize=queue)
        self.hub = None

    def offer(self, topic: str, seq: int | None, frame: str | bytes) -> None:
        """Take an ephemeral frame of the topic from the hub; the others are not for peers."""
        if seq is not None:
            return
        if isinstance(frame, bytes):
            header, data = unpack(frame)
        else:
            header = json.loads(frame)
            data = header.get("data", {})
        if header.get("type") not in self.types:
            return
        try:
            self.inbox.put_nowait(
                PeerFrame(topic, header["type"], data, header.get("from"), header.get("user_id"))
            )
        except asyncio.QueueFull:  # a peer that stopped reading: bounded, like a slow socket
            logger.warning("realtime: peer %s on %s is behind, frame dropped", self.name, topic)

    def __aiter__(self) -> Peer:
        return self

    async def __anext__(self) -> PeerFrame:
        return await self.inbox.get()

    async def send(self, event: Event, *, to: str | None = None, to_user: int | None = None):
        """An ephemeral event from this peer: to one socket, one person, or the whole topic."""
        if event.durable:
            raise ValueError("a peer sends ephemeral events; durable ones go through publish()")
        data = event.data()
        await deliver(self.topic, event.type, data, origin=self.name, to=to, to_user=to_user)

    async def send_bytes(
        self, event_type: str, body: bytes, *, to: str | None = None, to_user: int | None = None
    ) -> None:
        await deliver(self.topic, event_type, body, origin=self.name, to=to, to_user=to_user)

    async def close(self) -> None:
        from .hub import release_hub

        if self.hub is not None:
            hub, self.hub = self.hub, None
            hub.leave_peer(self)
            await release_hub(hub)


async def attach(topic: str, name: str, *, types: Iterable[str], queue: int = 1000) -> Peer:
    """Take part in `topic` as the server peer `name`, receiving the ephemeral `types`."""
    from .hub import current_hub

    if not isinstance(topic, str) or not TOPIC_PATTERN.match(topic):
        raise ValueError(f"invalid topic {topic!r}")
    if not PEER_NAME.fullmatch(name):
        raise ValueError(f"invalid peer name {name!r}")
    hub = await current_hub()
    feed = hub.feeds.get(topic)
    if feed is not None and name in feed.peers:
        raise ValueError(f"a peer named {name!r} already follows {topic}")
    peer = Peer(topic, name, types, queue)
    await hub.join_peer(peer)
    peer.hub = hub
    return peer
