"""Answers given by the ASGI layer itself, before Django runs: a refusal reads like Django's.

Under `/api/` the JSON error envelope of `config/api.py`; elsewhere a short French text.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

Send = Callable[[dict], Awaitable[None]]


def refusal_body(path: str, code: str, message: str, details: dict[str, Any]) -> tuple[bytes, str]:
    """(body, content type) of a refusal of a request for `path`."""
    if path.startswith("/api/"):
        error = {"code": code, "message": message, "details": details}
        return json.dumps({"error": error}).encode(), "application/json"
    return message.encode(), "text/plain; charset=utf-8"


async def refuse(
    scope: dict,
    send: Send,
    status: int,
    code: str,
    message: str,
    details: dict[str, Any],
    headers: list[tuple[bytes, bytes]] = (),  # type: ignore[assignment]
) -> None:
    body, kind = refusal_body(scope.get("path", ""), code, message, details)
    start = [
        (b"content-type", kind.encode()),
        (b"content-length", str(len(body)).encode()),
        *headers,
    ]
    await send({"type": "http.response.start", "status": status, "headers": start})
    await send({"type": "http.response.body", "body": body})
