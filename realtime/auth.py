"""WebSocket authentication: the session cookie, or `?token=` for API clients.

Resolved once, at the handshake. Unlike channels' `AuthMiddlewareStack`, nothing wraps the
socket's `send`: a WebSocket never writes the session back, and the gateway calls `send` once
per frame per socket, so each wrapper layer would cost on every fan-out.
"""

from importlib import import_module
from urllib.parse import parse_qs

from channels.auth import get_user
from channels.db import database_sync_to_async
from channels.sessions import CookieMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from parcours import services


class GatewayAuthMiddleware:
    def __init__(self, inner) -> None:
        self.inner = inner

    async def __call__(self, scope, receive, send):
        return await self.inner(dict(scope, user=await _user(scope)), receive, send)


async def _user(scope):
    token = parse_qs(scope.get("query_string", b"").decode()).get("token", [None])[0]
    if token:
        user = await database_sync_to_async(services.user_for_api_token)(token)
        return user or AnonymousUser()
    session_key = scope.get("cookies", {}).get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return AnonymousUser()
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return await get_user({"session": store(session_key)})


def TokenOrSessionAuthMiddleware(inner):
    return CookieMiddleware(GatewayAuthMiddleware(inner))
