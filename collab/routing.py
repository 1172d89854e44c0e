from django.urls import re_path

from .consumers import DocConsumer

# y-websocket's client asks for `<server url>/<room name>`; the room name is "<doc_id>/".
# Any id reaches the consumer, which closes with 4404 on one that is not a document's.
websocket_urlpatterns: list = [
    re_path(r"^ws/docs/(?P<doc_id>[^/]{1,40})/?$", DocConsumer.as_asgi())
]
