"""WebSocket authentication: the session cookie, or `?token=` for API clients."""

from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware

from parcours import services


class TokenAuthMiddleware(BaseMiddleware):
    """Replaces the cookie's user with the owner of a valid `?token=`."""

    async def __call__(self, scope, receive, send):
        token = parse_qs(scope.get("query_string", b"").decode()).get("token", [None])[0]
        if token:
            user = await database_sync_to_async(services.user_for_api_token)(token)
            if user is not None:
                scope = dict(scope, user=user)
        return await super().__call__(scope, receive, send)


def TokenOrSessionAuthMiddleware(inner):
    return AuthMiddlewareStack(TokenAuthMiddleware(inner))
