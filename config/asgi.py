"""HTTP and WebSocket entry point: Django for HTTP, the realtime gateway for `/ws/`.

Served by `config/serve.py` (gunicorn + uvicorn workers); daphne, which serves no lifespan,
still runs it as well.
"""

import gc
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)

from config.threads import ThreadedHandler, bounded  # noqa: E402

django_asgi_app = ThreadedHandler()

from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

if settings.SERVE_STATIC:
    # The embedded default serves its own CSS and JS; a deployment puts them behind its proxy.
    django_asgi_app = ASGIStaticFilesHandler(django_asgi_app)

from asgiref.sync import sync_to_async  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import get_resolver  # noqa: E402

from collab.routing import websocket_urlpatterns as doc_urlpatterns  # noqa: E402
from config.bodies import BodyLimit  # noqa: E402
from config.health import warn_if_down  # noqa: E402
from realtime.auth import GatewayAuthMiddleware  # noqa: E402
from realtime.hub import stop_current_hub  # noqa: E402
from realtime.origin import OriginCheck  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402

# Every app's routes and API schemas, loaded at the worker's start rather than by its first
# request, which otherwise paid for them (1.5 s of imports, several on a loaded machine).
ROUTES = get_resolver().url_patterns

# Everything loaded so far lives as long as the process: freezing it keeps the collector's
# full passes, and the pauses they put into the realtime fan-out, short.
gc.freeze()
gc.set_threshold(50_000, 20, 20)


async def lifespan(scope: dict, receive, send) -> None:
    """The server's start and stop: on stop, the gateway's hub leaves the bus cleanly."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await sync_to_async(warn_if_down, thread_sensitive=False)()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await stop_current_hub()
            await send({"type": "lifespan.shutdown.complete"})
            return


application = ProtocolTypeRouter(
    {
        "http": BodyLimit(bounded(django_asgi_app)),
        "lifespan": lifespan,
        "websocket": OriginCheck(
            GatewayAuthMiddleware(URLRouter(websocket_urlpatterns + doc_urlpatterns))
        ),
    }
)
