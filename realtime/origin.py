"""The handshake's Origin check: host *and* port, as a browser means "same origin".

Channels' `AllowedHostsOriginValidator` compares host names only, so a page served by any
other program on the same machine (`http://localhost:9999`) could open a socket carrying the
visitor's session cookie. Here the Origin must name the very host and port the socket was
opened on (its `Host` header, as Django's CSRF check compares them), that host being one of
`ALLOWED_HOSTS`; or match an entry of `CSRF_TRUSTED_ORIGINS` exactly (scheme, host, port),
for a page served from another origin on purpose. Anything else is refused at the handshake,
before authentication.
"""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def _header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin1")
    return None


def _origin(value: str | None) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an Origin header, None when it is absent or malformed."""
    if not value or value == "null":
        return None
    try:
        parts: SplitResult = urlsplit(value.strip().lower())
        port = parts.port or DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or port is None:
        return None
    return parts.scheme, parts.hostname, port


def _request_host(scope: dict) -> str | None:
    if settings.USE_X_FORWARDED_HOST and (forwarded := _header(scope, b"x-forwarded-host")):
        return forwarded.split(",")[0].strip()
    return _header(scope, b"host")


def origin_allowed(scope: dict) -> bool:
    """Whether the handshake in `scope` comes from a page of this site (see module doc)."""
    origin = _origin(_header(scope, b"origin"))
    if origin is None:
        return False
    scheme, host, port = origin
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        if "*" not in trusted and _origin(trusted) == origin:
            return True
    request_host = _request_host(scope)
    if not request_host:
        return False
    domain, request_port = split_domain_port(request_host.lower())
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    expected_port = int(request_port) if request_port else DEFAULT_PORTS[scheme]
    return domain.strip("[]") == host and expected_port == port


class OriginCheck:
    """ASGI middleware refusing a WebSocket handshake whose Origin is not this site."""

    def __init__(self, inner) -> None:
        self.inner = inner

    async def __call__(self, scope, receive, send):
        if origin_allowed(scope):
            return await self.inner(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
