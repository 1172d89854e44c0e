"""The application plus the test topic kind `room:<session id>`, for server processes."""

from config.asgi import application
from tests.realtime import support  # noqa: F401  (registers `room`)

__all__ = ["application"]
