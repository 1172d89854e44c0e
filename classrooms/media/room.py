"""One classroom's media in one process: the registry of its peers, tracks and tasks.

Each participant's browser (a *peer*: one tab) has two connections with the SFU, so that
each has a single offerer and renegotiation never collides:
- the *publish* connection, offered by the browser, carries its microphone, camera and
  screen to the SFU; it renegotiates when the browser adds or stops one of them;
- the *subscribe* connection, offered by the SFU, carries everyone else's tracks to the
  browser; the SFU renegotiates it when a track appears or ends in the room.

The room owns every `RTCPeerConnection` and background task it creates; `leave` is the one
path that closes a peer (its own request, a reload that replaces it, removal by a
moderator, a failed connection) and `close` the one that ends the room (class ended, last
person gone, worker stopping). What may flow is decided by `Rules` that the room service
computes from the room's state (muted, camera stopped, breakout group): the SFU applies
them to the media itself, so a muted microphone is silent for everyone, whatever the
muted person's browser does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpSender,
    RTCRtpTransceiver,
    RTCSessionDescription,
)

from parcours.errors import ErrorCode, ServiceError

from .checks import SOURCE_KINDS, check_sdp, check_sources, invalid
from .forwarding import (
    FORWARDABLE,
    ForwardedTrack,
    GatedTrack,
    Source,
    pass_keyframe_requests,
    tap,
)
from .sinks import RoomSink, TrackInfo, build_sinks

logger = logging.getLogger(__name__)

# Seconds a browser has to answer the SFU's offer before its peer is dropped.
ANSWER_TIMEOUT = 15.0

Send = Callable[[str, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Rules:
    """What one participant's tracks may carry now, and who hears them."""

    mic: bool = True
    camera: bool = True
    screen: bool = True
    # Breakout room: tracks flow only between people of the same group ("" = main room).
    group: str = ""

    def allows(self, source: str) -> bool:
        return bool(getattr(self, source))


OPEN = Rules()


@dataclass
class Published:
    """One incoming track of the room."""

    peer: str
    mid: str
    user_id: int
    label: str
    source: Source
    # Tracks handed to sinks, gated by the publisher's rules like viewers' ones.
    sink_tracks: list[ForwardedTrack | GatedTrack] = field(default_factory=list)
    info: TrackInfo | None = None


@dataclass
class Outgoing:
    transceiver: RTCRtpTransceiver
    track: MediaStreamTrack
    published: Published


@dataclass
class Peer:
    key: str
    user_id: int
    subscriber: RTCPeerConnection
    publisher: RTCPeerConnection | None = None
    # mid -> source label of the publish connection, as the browser declared them.
    labels: dict[str, str] = field(default_factory=dict)
    outgoing: dict[tuple[str, str], Outgoing] = field(default_factory=dict)
    dirty: bool = False
    negotiated: bool = False
    negotiator: asyncio.Task | None = None
    answer: asyncio.Future | None = None
    closed: bool = False


class MediaRoom:
    def __init__(
        self,
        room_id: int,
        *,
        send: Send,
        configuration: RTCConfiguration,
        transcode: bool = False,
    ) -> None:
        self.room_id = room_id
        self.send = send
        self.configuration = configuration
        # Benchmark baseline only: decode each track once and encode it for every viewer,
        # as aiortc does by default (no rules are applied in this mode).
        self.transcode = transcode
        self.peers: dict[str, Peer] = {}
        self.published: dict[tuple[str, str], Published] = {}
        self.rules: dict[int, Rules] = {}
        self.default_rules = OPEN
        self.sinks: dict[str, RoomSink] = build_sinks(room_id)
        self.closed = False
        self._tasks: set[asyncio.Task] = set()

    # -- peers -----------------------------------------------------------------------------

    async def join(self, key: str, user_id: int) -> None:
        """Add a peer; a peer key already present (a reloaded tab) replaces the old one."""
        if self.closed:
            raise ServiceError(ErrorCode.CONFLICT, "La classe est terminée.")
        if key in self.peers:
            await self.leave(key, reason="replaced")
        peer = Peer(key, user_id, RTCPeerConnection(self.configuration))
        self._watch(peer, peer.subscriber)
        self.peers[key] = peer
        self._renegotiate(peer)

    async def publish(self, key: str, sdp: str, sources: Any) -> str:
        """Apply the browser's offer for its publish connection; return the SFU's answer."""
        peer = self._peer(key)
        labels = check_sources(sources)
        pc = peer.publisher
        if pc is None:
            pc = peer.publisher = RTCPeerConnection(self.configuration)
            self._watch(peer, pc)
            pc.on("track", lambda track: self._on_track(peer, pc, track))
        peer.labels = labels
        try:
            await pc.setRemoteDescription(RTCSessionDescription(check_sdp(sdp), "offer"))
            await pc.setLocalDescription(await pc.createAnswer())
        except ServiceError:
            raise
        except Exception as exc:
            raise invalid(f"Offre refusée : {str(exc)[:200]}", "data.sdp") from None
        for published in list(self.published.values()):
            if published.peer == key and labels.get(published.mid) != published.label:
                published.source.end()
        return pc.localDescription.sdp

    async def answer(self, key: str, sdp: str) -> None:
        """The browser's answer to the SFU's latest offer on its subscribe connection."""
        peer = self._peer(key)
        check_sdp(sdp)
        if peer.answer is None or peer.answer.done():
            raise ServiceError(ErrorCode.CONFLICT, "Aucune offre n'attend de réponse.")
        peer.answer.set_result(sdp)

    async def leave(self, key: str, *, reason: str = "left", notify: bool = False) -> None:
        """The one close path of a peer: its tracks end for everyone, its connections close."""
        peer = self.peers.pop(key, None)
        if peer is None:
            return
        peer.closed = True
        if peer.answer is not None and not peer.answer.done():
            peer.answer.cancel()
        try:
            for published in [p for p in self.published.values() if p.peer == key]:
                published.source.end()
            for out in peer.outgoing.values():
                out.track.stop()
            peer.outgoing.clear()
            if notify:
                await self._send(peer.key, {"type": "media.closed", "reason": reason})
        finally:
            task = peer.negotiator
            if task is not None and task is not asyncio.current_task():
                task.cancel()
            for pc in (peer.publisher, peer.subscriber):
                if pc is not None:
                    await pc.close()

    async def close(self) -> None:
        """End the room's media: sinks finish first, then every peer and task goes."""
        if self.closed:
            return
        self.closed = True
        try:
            for sink in self.sinks.values():
                try:
                    await sink.close()
                except Exception:
                    logger.exception("classroom %s: a media sink failed to close", self.room_id)
            for key in list(self.peers):
                await self.leave(key, reason="ended", notify=True)
        finally:
            tasks = [t for t in self._tasks if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def peers_of(self, user_id: int) -> list[str]:
        return [key for key, peer in self.peers.items() if peer.user_id == user_id]

    # -- rules -----------------------------------------------------------------------------

    def apply_rules(self, rules: Mapping[int, Rules], *, default: Rules = OPEN) -> None:
        """Replace the rules (user id -> Rules; `default` for the others), apply them now."""
        self.rules = dict(rules)
        self.default_rules = default
        for peer in self.peers.values():
            for out in peer.outgoing.values():
                self._gate(out.track, out.published, peer.user_id)
        for published in self.published.values():
            for track in published.sink_tracks:
                self._gate(track, published, None)

    def _gate(self, track: MediaStreamTrack, published: Published, viewer: int | None) -> None:
        if not isinstance(track, ForwardedTrack | GatedTrack):
            return
        rules = self.rules.get(published.user_id, self.default_rules)
        allowed = rules.allows(published.label)
        if viewer is not None:
            allowed = allowed and rules.group == self.rules.get(viewer, self.default_rules).group
        track.resume() if allowed else track.pause()

    # -- incoming tracks -------------------------------------------------------------------

    def _on_track(self, peer: Peer, pc: RTCPeerConnection, track: MediaStreamTrack) -> None:
        transceiver = next(t for t in pc.getTransceivers() if t.receiver.track is track)
        label = peer.labels.get(transceiver.mid)
        source = Source(kind=track.kind)
        # Tapped even when undeclared: its frames are then dropped, never left to pile up.
        tap(transceiver.receiver, source)
        if peer.closed or label is None or SOURCE_KINDS[label] != track.kind:
            return
        published = Published(peer.key, transceiver.mid, peer.user_id, label, source)
        source._on_end = lambda _source: self._on_source_end(published)
        published.info = TrackInfo(
            room_id=self.room_id,
            user_id=peer.user_id,
            peer=peer.key,
            source=label,
            kind=track.kind,
            encoded=lambda: self._sink_track(published, published.source.forward()),
            decoded=lambda: self._sink_track(published, GatedTrack(published.source.decoded())),
        )
        self.published[(peer.key, transceiver.mid)] = published
        for name, sink in self.sinks.items():
            self._notify_sink(name, sink.track_added, published.info)
        for other in self.peers.values():
            if other is not peer:
                self._renegotiate(other)

    def _sink_track(self, published: Published, track: MediaStreamTrack) -> MediaStreamTrack:
        """A track for a sink, gated by the publisher's rules until the sink stops it."""
        published.sink_tracks.append(track)
        track.on("ended", lambda: _discard(published.sink_tracks, track))
        self._gate(track, published, None)
        return track

    def _on_source_end(self, published: Published) -> None:
        if self.published.get((published.peer, published.mid)) is not published:
            return
        del self.published[(published.peer, published.mid)]
        for name, sink in self.sinks.items():
            self._notify_sink(name, sink.track_removed, published.info)
        for peer in self.peers.values():
            if (published.peer, published.mid) in peer.outgoing:
                self._renegotiate(peer)

    def _notify_sink(self, name: str, method: Callable, info: TrackInfo | None) -> None:
        try:
            method(info)
        except Exception:
            logger.exception("classroom %s: media sink %r failed", self.room_id, name)

    # -- the subscribe connection ----------------------------------------------------------

    def _renegotiate(self, peer: Peer) -> None:
        peer.dirty = True
        if not peer.closed and (peer.negotiator is None or peer.negotiator.done()):
            peer.negotiator = self._spawn(self._negotiate(peer))

    async def _negotiate(self, peer: Peer) -> None:
        """Offer the peer the room's current tracks, one offer/answer at a time."""
        pc = peer.subscriber
        try:
            while peer.dirty and not peer.closed:
                peer.dirty = False
                changed = await self._sync_outgoing(peer)
                if not changed:
                    continue
                await pc.setLocalDescription(await pc.createOffer())
                peer.answer = asyncio.get_running_loop().create_future()
                await self._send(
                    peer.key,
                    {
                        "type": "media.offer",
                        "sdp": pc.localDescription.sdp,
                        "tracks": self._map(peer),
                    },
                )
                sdp = await asyncio.wait_for(peer.answer, ANSWER_TIMEOUT)
                await pc.setRemoteDescription(RTCSessionDescription(sdp, "answer"))
                peer.negotiated = True
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.info("classroom %s: peer %s dropped (%r)", self.room_id, peer.key, exc)
            self._spawn(self.leave(peer.key, reason="negotiation", notify=True))

    async def _sync_outgoing(self, peer: Peer) -> bool:
        """Add a sending transceiver per new track, stop those of ended tracks."""
        wanted = {key for key, p in self.published.items() if p.peer != peer.key}
        changed = False
        for key in wanted - peer.outgoing.keys():
            published = self.published[key]
            if published.source.ended:
                continue
            source = published.source
            track = source.decoded() if self.transcode else source.forward()
            transceiver = peer.subscriber.addTransceiver(track, direction="sendonly")
            transceiver.setCodecPreferences(_forwardable_codecs(track.kind))
            pass_keyframe_requests(transceiver.sender, published.source)
            transceiver.sender._stream_id = f"u{published.user_id}"
            peer.outgoing[key] = Outgoing(transceiver, track, published)
            self._gate(track, published, peer.user_id)
            changed = True
        for key in peer.outgoing.keys() - wanted:
            out = peer.outgoing.pop(key)
            out.track.stop()
            out.transceiver.direction = "inactive"
            # Stopping the sender sends an RTCP BYE: the viewer's track ends at once.
            await out.transceiver.stop()
            changed = True
        return changed

    def _map(self, peer: Peer) -> dict[str, dict[str, Any]]:
        """mid -> whose track it is, for the browser to place each track in its tile."""
        return {
            out.transceiver.mid: {
                "user_id": out.published.user_id,
                "peer": out.published.peer,
                "source": out.published.label,
            }
            for out in peer.outgoing.values()
            if out.transceiver.mid is not None
        }

    # -- plumbing --------------------------------------------------------------------------

    def _peer(self, key: str) -> Peer:
        peer = self.peers.get(key)
        if peer is None:
            raise ServiceError(
                ErrorCode.NOT_FOUND, "Rejoignez la classe avant d'envoyer votre média."
            )
        return peer

    def _watch(self, peer: Peer, pc: RTCPeerConnection) -> None:
        """A connection that fails or closes on its own takes its peer out of the room."""

        def on_state() -> None:
            if pc.connectionState in ("failed", "closed") and not peer.closed:
                self._spawn(self.leave(peer.key, reason=pc.connectionState, notify=True))

        pc.on("connectionstatechange", on_state)

    async def _send(self, key: str, message: dict[str, Any]) -> None:
        try:
            await self.send(key, message)
        except Exception:
            logger.exception("classroom %s: signalling to %s failed", self.room_id, key)

    def _spawn(self, coro: Awaitable) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def stats(self) -> dict[str, Any]:
        """Counts for tests and the benchmark: frames in per track, frames out per viewer."""
        return {
            "peers": len(self.peers),
            "tracks": {f"{p.user_id}:{p.label}": p.source.frames for p in self.published.values()},
            "forwarded": {
                key: sum(getattr(o.track, "forwarded", 0) for o in peer.outgoing.values())
                for key, peer in self.peers.items()
            },
        }


def _forwardable_codecs(kind: str) -> list:
    return [
        codec
        for codec in RTCRtpSender.getCapabilities(kind).codecs
        if codec.mimeType.lower() in (FORWARDABLE[kind].lower(), "video/rtx")
    ]


def _discard(tracks: list, track: MediaStreamTrack) -> None:
    if track in tracks:
        tracks.remove(track)
