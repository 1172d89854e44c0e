"""The ephemeral tier: frames relayed at once from the event loop.

No row, no sequence number, no lock, no database thread: a relayed frame goes to the bus and
from there to the sockets (and server peers) following its topic in every process, or to
one of them (`to`: a connection id or a peer's name), or to one person's sockets
(`to_user`). What a frame misses while a socket is away is gone, by design: typing, cursors,
awareness, hands, WebRTC signalling.

Relayed frames name who sent them, stamped here and never taken from the client:
`{"topic", "type", "from": <connection id or peer name>, "user_id"?, "data"}`. A binary frame
is a two-byte big-endian header length, a JSON header (the same keys but `data`), then the
payload (see docs/realtime.md).
"""

from __future__ import annotations

import json
from typing import Any

from parcours.errors import ErrorCode, ServiceError

from .bus import EXCEPT, TO, TO_USER, payload
from .events import Event
from .topics import Sender

# Largest JSON header of a binary frame: enough for any op, too small to nest deeply.
MAX_HEADER_BYTES = 512


def pack(header: dict[str, Any], body: bytes) -> bytes:
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode()
    return len(head).to_bytes(2, "big") + head + body


def unpack(frame: bytes) -> tuple[dict[str, Any], bytes]:
    """The header and payload of a binary frame, or a `ServiceError` saying what is wrong."""
    size = int.from_bytes(frame[:2], "big") if len(frame) >= 2 else -1
    if not 0 < size <= MAX_HEADER_BYTES or len(frame) < 2 + size:
        raise ServiceError(
            ErrorCode.INVALID,
            "Trame binaire invalide : longueur d'en-tête (2 octets) puis en-tête JSON attendus.",
            {"max_header_bytes": MAX_HEADER_BYTES},
        )
    try:
        header = json.loads(frame[2 : 2 + size])
    except ValueError:
        header = None
    if not isinstance(header, dict):
        raise ServiceError(ErrorCode.INVALID, "En-tête de trame binaire illisible : objet JSON.")
    return header, frame[2 + size :]


def _header(topic: str, event_type: str, origin: str | None, user_id: int | None) -> dict:
    header: dict[str, Any] = {"topic": topic, "type": event_type}
    if origin is not None:
        header["from"] = origin
    if user_id is not None:
        header["user_id"] = user_id
    return header


def text_frame(
    topic: str, event_type: str, data: dict, origin: str | None, user_id: int | None
) -> str:
    frame = _header(topic, event_type, origin, user_id)
    frame["data"] = data
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def marker(*, to: str | None, to_user: int | None, origin: str | None, echo: bool) -> str:
    if to is not None:
        return f"{TO}{to}"
    if to_user is not None:
        return f"{TO_USER}{to_user}"
    if origin is not None and not echo:
        return f"{EXCEPT}{origin}"
    return ""


async def deliver(
    topic: str,
    event_type: str,
    data: dict | bytes,
    *,
    origin: str | None = None,
    user_id: int | None = None,
    to: str | None = None,
    to_user: int | None = None,
    echo: bool = True,
) -> None:
    """Encode one frame for every recipient and hand it to the bus."""
    from .hub import current_hub

    if isinstance(data, bytes):
        frame: str | bytes = pack(_header(topic, event_type, origin, user_id), data)
    else:
        frame = text_frame(topic, event_type, data, origin, user_id)
    route = marker(to=to, to_user=to_user, origin=origin, echo=echo)
    await (await current_hub()).publish(topic, payload(route, frame))


async def relay(
    topic: str,
    event: Event,
    *,
    sender: Sender | None = None,
    to: str | None = None,
    to_user: int | None = None,
    echo: bool = True,
) -> None:
    """Deliver the ephemeral `event` on `topic` now: to every socket following it, or to one
    (`to`, a connection id or a server peer's name), or to one person's sockets (`to_user`).

    With `sender` (an ephemeral handler's), the frame names that socket and person, and
    `echo=False` leaves the sender out. For async code on the event loop; sync code uses
    `publish`, which waits for its transaction to commit.
    """
    if event.durable:
        raise ValueError("relay() takes ephemeral events; durable ones go through publish()")
    await deliver(
        topic,
        event.type,
        event.data(),
        origin=sender.connection_id if sender else None,
        user_id=sender.user_id if sender else None,
        to=to,
        to_user=to_user,
        echo=echo,
    )


async def relay_bytes(
    topic: str,
    event_type: str,
    body: bytes,
    *,
    sender: Sender | None = None,
    to: str | None = None,
    to_user: int | None = None,
    echo: bool = True,
) -> None:
    """`relay` for a binary payload (a CRDT update), sent to clients as a binary frame."""
    await deliver(
        topic,
        event_type,
        body,
        origin=sender.connection_id if sender else None,
        user_id=sender.user_id if sender else None,
        to=to,
        to_user=to_user,
        echo=echo,
    )
