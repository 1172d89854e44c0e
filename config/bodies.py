"""Request bodies: one size limit per route, enforced as the body arrives, before Django.

A body too large for its route is refused with a 413 the moment it is known to be: at once
when its `Content-Length` says so (nothing is read), or, for a chunked body, as soon as the
bytes received pass the limit (nothing more is read, and the connection is closed). Below the
limit, the body is spooled to a temporary file past `FILE_UPLOAD_MAX_MEMORY_SIZE`
(`config/threads.py`, then Django's upload handlers), so no request holds more than that in
memory and none holds a thread while it uploads.

The limits are those the OpenAPI states: an operation's `x-max-body-bytes`
(`parcours.attachments.body_limit` for the upload routes), `API_MAX_BODY_BYTES` for every
other route, pages included. `ApiBodyLimitMiddleware` applies the same table inside Django
for what is not served through this ASGI application (the test client).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.utils.translation import gettext

from config.answers import refusal_body, refuse

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

EXTENSION = "x-max-body-bytes"


@cache
def _route_limits() -> tuple[tuple[str, re.Pattern[str], int], ...]:
    """(method, path pattern, limit) of every API operation that states its own limit."""
    from config.api import api

    default, table = settings.API_MAX_BODY_BYTES, []
    for path, operations in api.get_openapi_schema()["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(path)) + "$")
        for method, operation in operations.items():
            if isinstance(operation, dict) and operation.get(EXTENSION, default) != default:
                table.append((method.upper(), pattern, int(operation[EXTENSION])))
    return tuple(table)


def state_limits(schema: dict) -> dict:
    """Write each operation's body limit into the OpenAPI `schema`: its own, or the default."""
    for operations in schema["paths"].values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            limit = operation.setdefault(EXTENSION, settings.API_MAX_BODY_BYTES)
            operation["requestBody"].setdefault(
                "description",
                gettext("Corps de %(limit)d octets au plus (413 « too_large » au-delà).")
                % {"limit": limit},
            )
            operation["responses"].setdefault(
                413, {"description": gettext("Corps trop volumineux")}
            )
    return schema


def limit_for(method: str, path: str) -> int:
    """The largest body accepted by `method path`, in bytes."""
    if path.startswith("/api/"):
        for wanted, pattern, limit in _route_limits():
            if wanted == method and pattern.match(path):
                return limit
    return settings.API_MAX_BODY_BYTES


def _refusal(limit: int) -> tuple[str, dict[str, Any]]:
    message = gettext("Le corps de la requête dépasse %(limit)d octets.") % {"limit": limit}
    return message, {"field": "body", "max_bytes": limit}


def too_large(path: str, limit: int) -> tuple[bytes, str]:
    """(body, content type) of the 413 for a request to `path`."""
    return refusal_body(path, "too_large", *_refusal(limit))


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    # `Connection: close`: the server stops reading what the client still sends.
    headers = [(b"connection", b"close")]
    await refuse(scope, send, 413, "too_large", *_refusal(limit), headers)


class BodyLimit:
    """ASGI middleware in front of everything HTTP: refuses a body past its route's limit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["method"], scope["path"])
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, send, limit)
            return
        received, refused, started = 0, False, False

        async def limited_receive() -> dict:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    if not started:
                        await _refuse(scope, send, limit)
                    # To the application, the client left: it answers nothing more.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: dict) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, limited_receive, guarded_send)
