"""`python -m config.serve`: how Préau is served, by `make run`, by the test suite's server
processes and by a deployment alike.

gunicorn supervises uvicorn worker processes that share one port; each serves the pages, the
API and the WebSocket gateway (`/ws/`) of `config.asgi`, and runs the synchronous views on
its own bounded pool of threads (`config/threads.py`). Several workers use both cores where
one process is held to one by Python's lock; they need a bus between them, so with the
embedded default (no `REDIS_URL`: the in-process bus) there is exactly one. Why this server
and not daphne alone: docs/architecture.md, "Serving".

    python -m config.serve --host 127.0.0.1 --port 8000 [--workers N] [-v 1] [module:app]

`WEB_CONCURRENCY` sets the number of workers (default: one per core with Redis, else one).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import socket
import sys
from importlib import import_module
from typing import Any

from gunicorn.app.base import BaseApplication
from uvicorn_worker import UvicornWorker


class Worker(UvicornWorker):
    """uvicorn inside gunicorn, with the ASGI lifespan (the gateway stops its hub on it) and
    no access log (trust frame: nothing logs requests)."""

    CONFIG_KWARGS: dict[str, Any] = {
        "loop": "auto",
        "http": "auto",
        # uvicorn's sans-I/O protocol, lightened (config/sockets.py): no task of its own per
        # socket (the legacy one ran three), a send that never waits unless the socket
        # applies back-pressure, nothing kept per idle socket that it does not need.
        "ws": "config.sockets:SocketProtocol",
        # Events are small JSON frames sent once per socket: compressing each one for each
        # socket would cost CPU on every delivery and a compressor and a decompressor
        # (zlib state, tens of KB) per browser socket, for little gain.
        "ws_per_message_deflate": False,
        "lifespan": "on",
        "access_log": False,
        # A protocol-level ceiling; the gateway answers frames above its own, smaller limit
        # (REALTIME_MAX_FRAME_BYTES) with an error frame.
        "ws_max_size": 1024 * 1024,
    }

    def init_process(self) -> None:
        if self.cfg.workers > 1:
            self.sockets = [own_listener(shared, self.cfg.backlog) for shared in self.sockets]
        super().init_process()


def own_listener(shared: Any, backlog: int) -> Any:
    """A listening socket of the worker's own on the shared socket's address, the kernel
    spreading new connections over the workers' sockets (`SO_REUSEPORT`).

    On the one socket gunicorn shares, whichever worker's event loop wakes first accepts
    every connection waiting: twenty connections opened together landed on one worker,
    which served them on one core while the other idled. Once the worker listens on its
    own, it stops the shared socket listening (one socket for every process: the first
    worker stops it for all), so that no connection waits on a socket nobody accepts on.
    Left shared where the platform cannot (no `SO_REUSEPORT`, a Unix socket)."""
    if not hasattr(socket, "SO_REUSEPORT") or shared.family not in (
        socket.AF_INET,
        socket.AF_INET6,
    ):
        return shared
    own = socket.socket(shared.family, socket.SOCK_STREAM)
    own.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    own.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    own.bind(shared.getsockname())
    own.listen(backlog)
    own.setblocking(False)
    with contextlib.suppress(OSError):  # another worker stopped it already
        shared.shutdown(socket.SHUT_RD)
    return own


def port_taken(host: str, port: int) -> bool:
    """Whether something listens on the address already. The workers' sockets share their
    port (`own_listener`), so gunicorn's would join a Préau server still running there, and
    the two would share its connections: a second `make run` must fail instead."""
    for family, kind, proto, _name, address in socket.getaddrinfo(
        host.strip("[]"), port, type=socket.SOCK_STREAM
    ):
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError:
                return True
    return False


class Server(BaseApplication):
    def __init__(self, app: str, options: dict[str, Any]) -> None:
        self.app, self.options = app, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        module, _, name = self.app.partition(":")
        return getattr(import_module(module), name)


def default_workers() -> int:
    if not os.environ.get("REDIS_URL"):
        return 1
    return int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 1)


def options(host: str, port: int, workers: int, verbosity: int) -> dict[str, Any]:
    return {
        "bind": [f"{host}:{port}"],
        "workers": workers,
        "worker_class": "config.serve.Worker",
        # Workers answer gunicorn's heartbeat from their event loop; a loop stuck this long
        # is restarted.
        "timeout": 60,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info" if verbosity else "warning",
        "proc_name": "preau",
        # The workers' own listening sockets join the shared one's port (`own_listener`).
        "reuse_port": True,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("-v", "--verbosity", type=int, default=0)
    parser.add_argument("app", nargs="?", default="config.asgi:application")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    workers = args.workers or default_workers()
    if workers > 1 and not os.environ.get("REDIS_URL"):
        sys.exit("config.serve: several workers need REDIS_URL (their shared bus); use one.")
    if port_taken(args.host, args.port):
        sys.exit(f"config.serve: {args.host}:{args.port} is already in use (another server?).")
    # The server's own messages, and the gateway's start and stop, like daphne's -v 1.
    logging.basicConfig(
        level=logging.INFO if args.verbosity else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    Server(args.app, options(args.host, args.port, workers, args.verbosity)).run()


if __name__ == "__main__":
    main()
