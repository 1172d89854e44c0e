"""The client frames of `/ws/`, parsed and checked before any rule runs.

Text frames are JSON objects: `subscribe` (topic, optional `since`, `presence`),
`unsubscribe`, `send` (topic, type, data, optional `to`); each may carry a `ref` that the
answer echoes. A binary frame carries one `send` of a binary ephemeral type: a two-byte
big-endian header length, the JSON header (the `send` op without `data`), then the payload.
Anything else gets a `ServiceError` naming the problem (see docs/realtime.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, TypeAdapter, ValidationError

from parcours.errors import ErrorCode, ServiceError

from . import conf, topics
from .relaying import unpack

Ref = Annotated[str, Field(max_length=64)] | Annotated[StrictInt, Field(ge=0)]
TopicName = Annotated[str, Field(max_length=64)]


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ref: Ref | None = None


class SubscribeFrame(_Frame):
    op: Literal["subscribe"]
    topic: TopicName
    since: Annotated[StrictInt, Field(ge=0)] | None = None
    presence: bool = False


class UnsubscribeFrame(_Frame):
    op: Literal["unsubscribe"]
    topic: TopicName


class SendFrame(_Frame):
    op: Literal["send"]
    topic: TopicName
    type: Annotated[str, Field(max_length=64)]
    data: dict[str, Any] = Field(default_factory=dict)
    # A connection id or a server peer's name, for directed ephemeral types.
    to: Annotated[str, Field(min_length=1, max_length=64)] | None = None


ClientFrame = TypeAdapter(
    Annotated[SubscribeFrame | UnsubscribeFrame | SendFrame, Field(discriminator="op")]
)


@dataclass(frozen=True, slots=True)
class Parsed:
    frame: SubscribeFrame | UnsubscribeFrame | SendFrame
    # What a `send` carries: the JSON data, or a binary frame's payload.
    data: dict[str, Any] | bytes
    size: int


def _too_large(limit: int) -> ServiceError:
    return ServiceError(ErrorCode.TOO_LARGE, "Trame trop volumineuse.", {"max_bytes": limit})


def decode_text(text: str) -> tuple[dict[str, Any], int]:
    """The JSON object of a text frame and its size, or a `ServiceError`."""
    size = len(text.encode())
    if size > conf.get("REALTIME_MAX_FRAME_BYTES"):
        raise _too_large(conf.get("REALTIME_MAX_FRAME_BYTES"))
    try:
        raw = json.loads(text)
    except ValueError:
        raise ServiceError(ErrorCode.INVALID, "Trame illisible : JSON attendu.") from None
    except RecursionError:
        # `"[" * 60000` fits in a frame and exhausts the parser's stack: bad input, answered as
        # such, not a server fault logged with its traceback at every frame a client sends.
        raise ServiceError(ErrorCode.INVALID, "Trame illisible : JSON trop imbriqué.") from None
    if not isinstance(raw, dict):
        raise ServiceError(ErrorCode.INVALID, "Trame invalide : un objet JSON est attendu.")
    return raw, size


def decode_binary(frame: bytes) -> tuple[dict[str, Any], bytes]:
    """The header and payload of a binary frame, when some topic kind accepts binary frames."""
    limit = topics.max_binary_bytes()
    if not limit:
        raise ServiceError(ErrorCode.INVALID, "Seules les trames texte JSON sont acceptées.")
    if len(frame) > limit:
        raise _too_large(limit)
    header, body = unpack(frame)
    if header.get("op") != "send" or "data" in header:
        raise ServiceError(
            ErrorCode.INVALID,
            "Une trame binaire porte un envoi (op « send ») dont la charge suit l'en-tête.",
            {"field": "op"},
        )
    return header, body


def validate(raw: dict[str, Any]) -> SubscribeFrame | UnsubscribeFrame | SendFrame:
    try:
        return ClientFrame.validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(part) for part in first["loc"] if part not in {"subscribe", "send"}]
        field = loc[0] if loc else "op"
        if field == "unsubscribe" and len(loc) > 1:
            field = loc[1]
        raise ServiceError(
            ErrorCode.INVALID, f"Champ « {field} » invalide : {first['msg']}", {"field": field}
        ) from None


def echo(raw: dict[str, Any] | None) -> dict[str, Any]:
    """The client's `ref` and `topic`, when readable, so that an error can be matched to them."""
    raw = raw or {}
    ref, topic = raw.get("ref"), raw.get("topic")
    return {
        "ref": ref if isinstance(ref, str | int) and len(str(ref)) <= 64 else None,
        "topic": topic if isinstance(topic, str) and len(topic) <= 64 else None,
    }
