"""Two workers share the connections opened together, and still after one of them dies.

On the one listening socket gunicorn shares, the worker whose event loop woke first accepted
every connection waiting: twenty keep-alive clients landed on one worker, which served them
on one core while the other idled (reads then ran at half the speed, one run in two). Each
worker now listens on a socket of its own on the same port (`config.serve.own_listener`).
"""

import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter

import pytest

from tests.servers import ROOT
from tests.services import require_redis

pytestmark = pytest.mark.slow

CONNECTIONS = 40


def open_together(port: int, count: int) -> list[socket.socket]:
    """`count` keep-alive connections opened at once, each having had one answer."""
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
    for client in clients:
        client.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    for client in clients:
        client.settimeout(30)
        assert client.recv(4096).startswith(b"HTTP/1.1 ")
    return clients


def holders(port: int) -> Counter:
    """How many established connections on `port` each server process holds."""
    listed = subprocess.run(
        ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return Counter(re.findall(r"pid=(\d+)", listed))


def test_connections_opened_together_are_spread_over_both_workers(daphne):
    require_redis()
    server = daphne(workers=2)
    clients = open_together(server.port, CONNECTIONS)
    try:
        held = holders(server.port)
        assert sum(held.values()) == CONNECTIONS
        assert len(held) == 2, held
        # The kernel spreads them by a hash of each connection: 8 of 40 or fewer on one
        # side happens about once in ten thousand runs.
        assert min(held.values()) > 8, held
    finally:
        for client in clients:
            client.close()


def test_a_worker_that_dies_is_replaced_and_its_successor_takes_its_share(daphne):
    require_redis()
    server = daphne(workers=2)
    first = open_together(server.port, CONNECTIONS)
    before = holders(server.port)
    for client in first:
        client.close()
    dead = next(iter(before))
    subprocess.run(["kill", f"-{signal.SIGKILL.value}", dead], check=True)
    deadline, held = time.monotonic() + 30, Counter()
    while time.monotonic() < deadline:
        try:
            clients = open_together(server.port, CONNECTIONS)
        except ConnectionError:
            # Connections waiting in the dead worker's queue are reset, as are those it had
            # accepted: the others are served.
            time.sleep(0.5)
            continue
        held = holders(server.port)
        for client in clients:
            client.close()
        if len(held) == 2 and dead not in held:
            break
        time.sleep(0.5)
    assert len(held) == 2 and dead not in held, held
    assert min(held.values()) > 8, held


@pytest.mark.parametrize("shared", [False, True])
def test_a_second_server_on_a_port_in_use_stops_at_once_and_says_why(shared):
    """The workers' sockets share their port: without this check a second server (a second
    `make run`) would have joined a Préau server still running there, half the connections
    going to each."""
    taken = socket.socket()
    if shared:  # as a running Préau's workers listen
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        ended = subprocess.run(
            [sys.executable, "-m", "config.serve", "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        taken.close()
    assert ended.returncode != 0
    assert f"127.0.0.1:{port} is already in use" in ended.stderr
