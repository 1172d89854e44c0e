"""The y-websocket wire protocol, as y-protocols encodes it (sync.js, awareness.js, auth.js).

A message is a var-uint type, then: for SYNC (0) a var-uint sub-type (step 1: a state
vector; step 2 and update: a Yjs update) and its payload as a var-uint-length byte array; for
AWARENESS (1) an awareness update as a byte array (a var-uint count, then per client its id,
clock and JSON state as a var-string; the state `null` means the client left); for AUTH (2)
a sub-type (0: permission denied) and a reason string; QUERY_AWARENESS (3) has no payload.
"""

from __future__ import annotations

import json

from pycrdt import Decoder, Encoder, get_update

SYNC, AWARENESS, AUTH, QUERY_AWARENESS = 0, 1, 2, 3
STEP1, STEP2, UPDATE = "step1", "step2", "update"
_SYNC_KINDS = {0: STEP1, 1: STEP2, 2: UPDATE}
EMPTY_UPDATE = b"\x00\x00"


def _var_uint(num: int) -> bytes:
    out = bytearray()
    while num > 127:
        out.append(128 | (num & 127))
        num >>= 7
    out.append(num)
    return bytes(out)


def _array(data: bytes) -> bytes:
    return _var_uint(len(data)) + data


def sync_step1(state: bytes) -> bytes:
    return bytes([SYNC, 0]) + _array(state)


def sync_step2(update: bytes) -> bytes:
    return bytes([SYNC, 1]) + _array(update)


def update_message(update: bytes) -> bytes:
    return bytes([SYNC, 2]) + _array(update)


def awareness_message(update: bytes) -> bytes:
    return bytes([AWARENESS]) + _array(update)


def permission_denied(reason: str) -> bytes:
    encoder = Encoder()
    encoder.write_var_uint(AUTH)
    encoder.write_var_uint(0)
    encoder.write_var_string(reason)
    return encoder.to_bytes()


def parse(message: bytes) -> tuple[str | int, bytes] | None:
    """`(kind, payload)`: kind is STEP1, STEP2, UPDATE, AWARENESS or QUERY_AWARENESS; None
    for anything else or anything malformed (ignored, as y-websocket's server does)."""
    try:
        decoder = Decoder(message)
        kind = decoder.read_var_uint()
        if kind == SYNC:
            sub = _SYNC_KINDS.get(decoder.read_var_uint())
            payload = decoder.read_message()
            if sub is None or payload is None:
                return None
            return sub, bytes(payload)
        if kind == AWARENESS:
            payload = decoder.read_message()
            return (AWARENESS, bytes(payload)) if payload is not None else None
        if kind == QUERY_AWARENESS:
            return QUERY_AWARENESS, b""
    except (IndexError, RuntimeError, ValueError):
        return None
    return None


def awareness_payload(message: bytes) -> bytes:
    parsed = parse(message)
    return parsed[1] if parsed and parsed[0] == AWARENESS else b""


def brings_news(update: bytes, state: bytes) -> bool:
    """Whether `update` holds anything a document at `state` lacks."""
    try:
        return get_update(update, state) != EMPTY_UPDATE
    except Exception:
        return True


class AwarenessTable:
    """The awareness states a room knows (client id -> clock, JSON state, owning socket),
    sent to a newcomer, and cleared for a socket that leaves without saying so."""

    def __init__(self) -> None:
        self.states: dict[int, tuple[int, str, str | None]] = {}

    def apply(self, update: bytes, *, owner: str | None) -> set[int]:
        seen: set[int] = set()
        try:
            decoder = Decoder(update)
            for _ in range(decoder.read_var_uint()):
                client, clock = decoder.read_var_uint(), decoder.read_var_uint()
                state = decoder.read_var_string()
                json.loads(state)
                known = self.states.get(client)
                if known is None or clock >= known[0]:
                    if state == "null":
                        self.states.pop(client, None)
                    else:
                        self.states[client] = (clock, state, owner)
                seen.add(client)
        except (IndexError, RuntimeError, ValueError):
            pass
        return seen

    def message(self, *, local_only: bool = False) -> bytes | None:
        """Every known state as one awareness message (`local_only`: only those of this
        process's sockets), or None when there is none."""
        entries = [(c, v) for c, v in self.states.items() if not local_only or v[2] is not None]
        return awareness_message(self._encode(entries)) if entries else None

    def remove(self, clients: set[int]) -> bytes | None:
        gone = [(c, (self.states.pop(c)[0] + 1, "null", None)) for c in clients if c in self.states]
        return awareness_message(self._encode(gone)) if gone else None

    @staticmethod
    def _encode(entries) -> bytes:
        entries = list(entries)
        encoder = Encoder()
        encoder.write_var_uint(len(entries))
        for client, (clock, state, _owner) in entries:
            encoder.write_var_uint(client)
            encoder.write_var_uint(clock)
            encoder.write_var_string(state)
        return encoder.to_bytes()
