"""API and page reads under Préau's server, under plain daphne, and under two gunicorn sync
workers (the baseline), in one run, on the same views and the same data.

    .venv/bin/python -m bench.api_load            # or: make bench-api
    .venv/bin/python -m bench.api_load --quick    # shorter measures

The data are the demo's (`seed_demo`), in a database of the bench's own: PostgreSQL next to
the one `DATABASE_URL` names (dropped at the end), otherwise a fresh SQLite file; Redis for
the cache and the bus when `REDIS_URL` is set. Each server is started in turn with that same
environment and measured on three views: `GET /api/v1/me` and `GET /api/v1/sessions/<id>`
(bearer tokens of the demo participants) and the session page (a logged-in cookie), each by
`--clients` concurrent keep-alive clients for `--seconds`. It prints requests/s, p50 and p99
for each server and view, then each server's throughput as a ratio of the baseline's.

The clients are one asyncio process on the same machine as the servers: each server shares
the two cores with the same client load.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from bench.forum_load import bench_database, percentile
from bench.ws_fanout import _free_port, _wait_port


def __getattr__(name: str) -> Any:
    # `gunicorn bench.api_load:wsgi`: the baseline serves the same Django project over WSGI.
    if name == "wsgi":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        from django.core.wsgi import get_wsgi_application

        return get_wsgi_application()
    raise AttributeError(name)


# -- servers ---------------------------------------------------------------------------


def _gunicorn_sync(port: int) -> list[str]:
    bind = f"127.0.0.1:{port}"
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        "2",
        "-k",
        "sync",
        "-b",
        bind,
        "bench.api_load:wsgi",
    ]


def _daphne(port: int) -> list[str]:
    quiet = ["-v", "0", "--access-log", os.devnull]
    return [
        sys.executable,
        "-m",
        "daphne",
        *quiet,
        "-b",
        "127.0.0.1",
        "-p",
        str(port),
        "config.asgi:application",
    ]


def _preau(port: int) -> list[str]:
    return [sys.executable, "-m", "config.serve", "--host", "127.0.0.1", "--port", str(port)]


# key: (label, command, environment overrides)
SERVERS: dict[str, tuple[str, Any, dict[str, str]]] = {
    "gunicorn": ("gunicorn, 2 workers sync (référence)", _gunicorn_sync, {}),
    "daphne": ("daphne, 1 processus (avant)", _daphne, {}),
    "preau": ("Préau : python -m config.serve", _preau, {}),
    "preau-t2": ("config.serve, 2 threads", _preau, {"HTTP_THREADS": "2"}),
    "preau-t4": ("config.serve, 4 threads", _preau, {"HTTP_THREADS": "4"}),
    "preau-t16": ("config.serve, 16 threads", _preau, {"HTTP_THREADS": "16"}),
    "preau-w1": ("config.serve, 1 worker", _preau, {"WEB_CONCURRENCY": "1"}),
}


def start(command: list[str], env: dict[str, str], port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _wait_port(port, process, timeout=60)
    return process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# -- world -----------------------------------------------------------------------------


@dataclass
class World:
    session_id: int
    tokens: list[str]
    cookies: list[str]


def build_world(env: dict[str, str]) -> World:
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from parcours.models import ApiToken, Membership, Session

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    session = Session.objects.filter(memberships__role="participant").order_by("pk").first()
    people = [
        m.user
        for m in Membership.objects.filter(session=session, role="participant")
        .select_related("user")
        .order_by("user__username")
    ]
    cookies = []
    for user in people:
        client = Client()
        client.force_login(user)
        cookies.append(
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
    return World(session.pk, [ApiToken.issue(u) for u in people], cookies)


# -- clients ---------------------------------------------------------------------------


@dataclass
class Measure:
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    load: float = 0.0  # the machine's load average at the end of the measure

    @property
    def rps(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one HTTP/1.1 response; returns its status and whether the server closes."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length, close, chunked = None, False, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection" and value == b"close":
            close = True
        elif name == b"transfer-encoding" and b"chunked" in value:
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length is not None:
        await reader.readexactly(length)
    else:
        await reader.read()
        close = True
    return status, close


async def _client(port: int, request: bytes, measure: Measure, stop_at: float) -> None:
    reader = writer = None
    try:
        while time.monotonic() < stop_at:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            began = time.monotonic()
            writer.write(request)
            status, close = await _read_response(reader)
            measure.latencies_ms.append((time.monotonic() - began) * 1000)
            if status != 200:
                measure.errors[status] = measure.errors.get(status, 0) + 1
            if close:
                writer.close()
                reader = writer = None
    finally:
        if writer is not None:
            writer.close()


def _requests(world: World, path: str, *, page: bool) -> list[bytes]:
    if page:
        auth = [f"Cookie: {cookie}" for cookie in world.cookies]
    else:
        auth = [f"Authorization: Bearer {token}" for token in world.tokens]
    return [
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{header}\r\n\r\n".encode() for header in auth
    ]


async def measure(port: int, requests: list[bytes], clients: int, seconds: float) -> Measure:
    result = Measure()
    stop_at = time.monotonic() + seconds
    began = time.monotonic()
    await asyncio.gather(
        *(_client(port, requests[n % len(requests)], result, stop_at) for n in range(clients))
    )
    result.seconds = time.monotonic() - began
    result.load = os.getloadavg()[0]
    return result


# -- run -------------------------------------------------------------------------------


def views(world: World) -> list[tuple[str, list[bytes]]]:
    sid = world.session_id
    return [
        ("GET /api/v1/me", _requests(world, "/api/v1/me", page=False)),
        (f"GET /api/v1/sessions/{sid}", _requests(world, f"/api/v1/sessions/{sid}", page=False)),
        (f"page /sessions/{sid}/", _requests(world, f"/sessions/{sid}/", page=True)),
    ]


def run(keys: list[str], env: dict[str, str], world: World, args) -> dict:
    """Every server runs throughout; each round measures every view on every server in turn,
    so that load from elsewhere on the machine falls on all of them alike."""
    servers = {}
    results: dict[str, dict[str, list[Measure]]] = {k: {} for k in keys}
    try:
        for key in keys:
            port = _free_port()
            _, command, overrides = SERVERS[key]
            servers[key] = (start(command(port), env | overrides, port), port)
        for round_ in range(args.rounds):
            order = keys[round_ % len(keys) :] + keys[: round_ % len(keys)]
            for name, requests in views(world):
                for key in order:
                    port = servers[key][1]
                    asyncio.run(measure(port, requests, args.clients, 1.0))  # warm up
                    found = asyncio.run(measure(port, requests, args.clients, args.seconds))
                    results[key].setdefault(name, []).append(found)
    finally:
        for process, _ in servers.values():
            stop(process)
    return results


def report(keys: list[str], results: dict) -> None:
    """Medians over the rounds; each ratio is the median of the rounds' own ratios."""
    base = results[keys[0]]
    for key in keys:
        label = SERVERS[key][0]
        for name, measures in results[key].items():
            rps = statistics.median(m.rps for m in measures)
            p50 = statistics.median(statistics.median(m.latencies_ms or [0]) for m in measures)
            p99 = statistics.median(percentile(m.latencies_ms, 0.99) for m in measures)
            errors = sum(sum(m.errors.values()) for m in measures)
            load = statistics.median(m.load for m in measures)
            line = f"{label:34} {name:26} {rps:7.0f} req/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms"
            line += f"  charge {load:4.1f}"
            if key != keys[0]:
                ratio = statistics.median(
                    m.rps / b.rps for m, b in zip(measures, base[name], strict=True)
                )
                line += f"  ratio {ratio:.2f}"
            print(line + (f"  erreurs {errors}" if errors else ""), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 round of 3 s per measure")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--servers", default="gunicorn,daphne,preau", help="the baseline first")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds = 3.0, 1
    env = os.environ.copy() | {
        "ALLOWED_HOSTS": "*",
        "PREAU_DEMO": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PREAU_CHANNEL_PREFIX": f"preau-api-bench-{os.getpid()}",
    }
    env, drop = bench_database(env)
    keys = args.servers.split(",")
    try:
        world = build_world(env)
        from django.db import connections

        connections.close_all()
        engine = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
        cache = "Redis" if env.get("REDIS_URL") else "mémoire locale"
        print(
            f"{engine}, cache {cache}, {args.clients} clients, {args.rounds} tours de "
            f"{args.seconds:.0f} s par mesure (médianes ; ratios au premier serveur)",
            flush=True,
        )
        results = run(keys, env, world, args)
    finally:
        drop()
    report(keys, results)


if __name__ == "__main__":
    main()
