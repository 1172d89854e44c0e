"""WebSocket authentication: the session cookie, or `?token=` for API clients.

Resolved once, at the handshake. Unlike channels' `AuthMiddlewareStack`, nothing wraps the
socket's `send`: a WebSocket never writes the session back, and the gateway calls `send` once
per frame per socket, so each wrapper layer would cost on every fan-out. The cookie header is
read here rather than by channels' `CookieMiddleware`, whose copy of the scope every open
socket would keep.
"""

from importlib import import_module
from types import SimpleNamespace
from urllib.parse import parse_qs

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.models import AnonymousUser
from django.http.cookie import parse_cookie

from parcours import services

from . import db


class GatewayAuthMiddleware:
    def __init__(self, inner) -> None:
        self.inner = inner

    async def __call__(self, scope, receive, send):
        return await self.inner(dict(scope, user=await _user(scope)), receive, send)


async def _user(scope):
    token = parse_qs(scope.get("query_string", b"").decode()).get("token", [None])[0]
    if token:
        return await db.run(_token_user, token)
    cookie = next((value for name, value in scope.get("headers", ()) if name == b"cookie"), b"")
    session_key = parse_cookie(cookie.decode("latin1")).get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return AnonymousUser()
    return await db.run(_session_user, session_key)


def _token_user(token: str):
    return services.user_for_api_token(token) or AnonymousUser()


def _session_user(session_key: str):
    """The user of a session cookie, checked as Django checks it for a page."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return auth.get_user(SimpleNamespace(session=store(session_key)))
