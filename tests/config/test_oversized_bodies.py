"""Oversized bodies against a real server process: refused with a 413 as soon as known to be
too large (by their Content-Length before any byte is read, by the bytes received for a
chunked body), without the process's memory growing, while other requests are served."""

import json
import select
import socket
from pathlib import Path

import pytest

from parcours.models import ApiToken

pytestmark = [pytest.mark.slow]
GIB = 1024**3
MIB = 1024**2


def _worker_pids(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def _rss(pid: int) -> int:
    """Resident memory of a process, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def _answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    raw = b""
    while b"\r\n\r\n" not in raw:
        chunk = sock.recv(65536)
        assert chunk, f"the connection closed before an answer: {raw!r}"
        raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines[1:])}
    while len(body) < int(headers.get("content-length", 0)):
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def _get(port: int, path: str, token: str) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        return _answer(sock)[0]


def test_a_huge_content_length_is_refused_before_a_byte_of_body_is_sent(world, daphne):
    server = daphne()
    token = ApiToken.issue(world.participant)
    worker = _worker_pids(server.process.pid)[0]
    before = _rss(worker)
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(
            (
                f"POST /api/v1/sessions/{world.session.pk}/access-grants HTTP/1.1\r\n"
                f"Host: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {int(1.5 * GIB)}\r\n\r\n"
            ).encode()
        )
        # Not one byte of the body is sent: the answer can only come from the header.
        status, headers, body = _answer(sock)
    assert status == 413
    assert headers["connection"] == "close"
    error = json.loads(body)["error"]
    assert error["code"] == "too_large"
    assert error["details"] == {"field": "body", "max_bytes": 1024 * 1024}
    assert _rss(worker) - before < 20 * MIB
    assert _get(server.port, "/api/v1/me", token) == 200


def test_a_page_refuses_a_huge_content_length_in_french(world, daphne):
    server = daphne()
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(
            (
                "POST /login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {10 * GIB}\r\n\r\n"
            ).encode()
        )
        status, headers, body = _answer(sock)
    assert status == 413
    assert headers["content-type"].startswith("text/plain")
    assert body.decode() == "Le corps de la requête dépasse 1048576 octets."


def test_a_huge_chunked_body_stops_being_read_past_the_limit_and_stalls_no_one(world, daphne):
    """1.5 GiB offered in chunks: the server answers 413 after about the limit, closes the
    connection, keeps its memory, and serves another client in the middle of it."""
    server = daphne()
    token = ApiToken.issue(world.participant)
    worker = _worker_pids(server.process.pid)[0]
    before = _rss(worker)
    chunk = b"x" * (64 * 1024)
    frame = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
    sent, answer = 0, None
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(
            (
                f"POST /api/v1/sessions/{world.session.pk}/access-grants HTTP/1.1\r\n"
                f"Host: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            ).encode()
        )
        # Half the limit, then someone else's request: the upload holds no one up.
        for _ in range(8):
            sock.sendall(frame)
            sent += len(chunk)
        assert _get(server.port, "/api/v1/me", token) == 200
        while sent < 1.5 * GIB:
            readable, writable, _ = select.select([sock], [sock], [], 30)
            if readable:
                answer = _answer(sock)
                break
            assert writable, "the server neither reads nor answers"
            try:
                sock.sendall(frame)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        if answer is None:
            answer = _answer(sock)
    status, _, body = answer
    assert status == 413
    assert json.loads(body)["error"]["details"]["max_bytes"] == 1024 * 1024
    # What was sent beyond the limit sits in the sockets' buffers, not in the server.
    assert sent < 64 * MIB
    assert _rss(worker) - before < 20 * MIB
    assert _get(server.port, "/api/v1/me", token) == 200
