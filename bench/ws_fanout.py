"""Fan-out benchmark of the realtime gateway against a bare `websockets` broadcast server.

    .venv/bin/python -m bench.ws_fanout            # or: make bench-ws
    .venv/bin/python -m bench.ws_fanout --quick    # fewer, shorter runs

N subscribers follow one topic while one publisher sends 100-byte events at a fixed rate
(deliveries/s = events/s x N). For each server (Préau on the in-memory layer, Préau on Redis
when `REDIS_URL` answers, and a bare `websockets` server that broadcasts what it receives),
it prints deliveries/s achieved, p50/p99/max latency from send to receipt, and the server's
RSS per connection; then the ratio Préau / bare on the same load, and the RSS per idle
socket with 5,000 of them on one process. Servers run as separate processes; the clients
run here, on the same machine, so the figures compare servers under the same client load.

Préau's publisher uses the gateway like a page would: a `send` op on a `bench:<id>` topic,
whose handler publishes a durable event (sequence number and outbox row included).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parent.parent
PAD = "x" * 40  # with the envelope, frames of about 100 bytes


def __getattr__(name: str) -> Any:
    # `daphne bench.ws_fanout:application` serves Préau plus the bench topic kind.
    if name == "application":
        return _bench_application()
    raise AttributeError(name)


def _bench_application():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings

    from config.asgi import application
    from parcours.policies import ALLOWED
    from realtime import publish
    from realtime.events import Event
    from realtime.topics import Ephemeral, register_topic

    class Ping(Event):
        type: Literal["bench.ping"] = "bench.ping"
        t: float
        pad: str

    def ping(sender, data: dict) -> None:
        publish(str(sender.topic), Ping(t=data["t"], pad=data["pad"]))

    # The publisher sends far above a person's rate limit on purpose.
    settings.REALTIME_SEND_RATE = settings.REALTIME_SEND_BURST = 1_000_000
    # Its thousand subscribers are one account, far above a person's cap of sockets.
    settings.REALTIME_MAX_SOCKETS_PER_USER = 1_000_000
    register_topic(
        "bench",
        authorize=lambda user, object_id: ALLOWED,
        durable={"bench.ping": ping},
        # The fast tier: relayed as sent, no row, no number; limits lifted as above.
        ephemeral={"bench.blip": Ephemeral(rate=1_000_000, burst=1_000_000)},
        presence=False,
    )
    return application


async def _bare_server(port: int) -> None:
    """The baseline: every text a client sends is broadcast to every other client."""
    from websockets.asyncio.server import broadcast, serve

    clients = set()

    async def handler(ws) -> None:
        clients.add(ws)
        try:
            async for message in ws:
                broadcast(clients - {ws}, message)
        finally:
            clients.discard(ws)

    async with serve(handler, "127.0.0.1", port, compression=None, max_queue=None):
        await asyncio.Future()


# -- servers ---------------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    port: int
    token: str | None

    @property
    def url(self) -> str:
        query = f"?token={self.token}" if self.token else ""
        return f"ws://127.0.0.1:{self.port}/ws/{query}"

    def rss_kb(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if the server is still flushing a saturated backlog."""
        started = time.monotonic()
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            print(f"  (arrêt forcé après {time.monotonic() - started:.0f} s)", flush=True)


def _wait_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("server exited early")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def start_preau(name: str, env: dict[str, str], token: str) -> Server:
    port = _free_port()
    command = [sys.executable, "-m", "daphne", "-v", "0", "--access-log", os.devnull]
    command += ["-b", "127.0.0.1", "-p", str(port), "bench.ws_fanout:application"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    _wait_port(port, process)
    return Server(name, process, port, token)


def start_bare() -> Server:
    port = _free_port()
    code = f"import asyncio, bench.ws_fanout as b; asyncio.run(b._bare_server({port}))"
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    _wait_port(port, process)
    return Server("websockets nu", process, port, None)


def prepare_database(env: dict[str, str]) -> str:
    """Migrate a fresh SQLite database and return an API token for the bench user."""
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from parcours.models import ApiToken

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench", password=None)
    return ApiToken.issue(user)


def redis_available(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


# -- clients ---------------------------------------------------------------------------


async def open_sockets(server: Server, count: int, topic: str | None) -> list:
    from websockets.asyncio.client import connect

    gate = asyncio.Semaphore(100)

    async def one():
        async with gate:
            ws = await connect(
                server.url,
                origin=f"http://127.0.0.1:{server.port}",
                compression=None,
                max_queue=None,
            )
            if server.token and topic:
                await ws.send(json.dumps({"op": "subscribe", "topic": topic}))
                while json.loads(await ws.recv()).get("op") != "subscribed":
                    pass
            return ws

    return await asyncio.gather(*(one() for _ in range(count)))


@dataclass
class Result:
    server: str
    subscribers: int
    target: int
    delivered: int
    expected: int
    rate: float
    p50: float
    p99: float
    worst: float
    rss_per_conn_kb: float

    def line(self) -> str:
        return (
            f"{self.server:<18} N={self.subscribers:<5} cible {self.target:>6}/s  "
            f"livrés {self.delivered}/{self.expected}  {self.rate:>8.0f}/s  "
            f"p50 {self.p50:6.1f} ms  p99 {self.p99:6.1f} ms  max {self.worst:7.1f} ms  "
            f"RSS/connexion {self.rss_per_conn_kb:5.1f} Ko"
        )


async def run_load(server: Server, subscribers: int, target: int, seconds: float) -> Result:
    topic = "bench:1"
    before = server.rss_kb()
    sockets = await open_sockets(server, subscribers, topic)
    await asyncio.sleep(0.5)
    rss_per_conn = (server.rss_kb() - before) / subscribers
    (publisher,) = await open_sockets(server, 1, topic)
    latencies: list[float] = []
    last_receipt = [0.0]

    async def read(ws) -> None:
        async for message in ws:
            data = json.loads(message).get("data")
            if data and "t" in data:
                now = time.time()
                latencies.append(now - data["t"])
                last_receipt[0] = now

    async def drain(ws) -> None:
        async for _ in ws:
            pass

    readers = [asyncio.create_task(read(ws)) for ws in sockets]
    readers.append(asyncio.create_task(drain(publisher)))
    events = max(1, round(target / subscribers * seconds))
    interval = seconds / events
    start = time.time()
    for n in range(events):
        await asyncio.sleep(max(0.0, start + n * interval - time.time()))
        frame = {"topic": topic, "type": "bench.ping", "data": {"t": time.time(), "pad": PAD}}
        if server.token:
            frame = {"op": "send", "topic": topic, "type": "bench.ping", "data": frame["data"]}
        await publisher.send(json.dumps(frame))
    expected = events * subscribers
    deadline = time.monotonic() + max(10.0, seconds)
    while len(latencies) < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    for task in readers:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in [*sockets, publisher]), return_exceptions=True)
    ms = sorted(latency * 1000 for latency in latencies) or [0.0]
    elapsed = max(last_receipt[0] - start, seconds)
    return Result(
        server.name,
        subscribers,
        target,
        len(latencies),
        expected,
        len(latencies) / elapsed,
        statistics.median(ms),
        ms[min(len(ms) - 1, int(len(ms) * 0.99))],
        ms[-1],
        rss_per_conn,
    )


async def idle_rss(server: Server, count: int) -> float:
    """RSS per idle socket (connected and following a topic), in KB."""
    before = server.rss_kb()
    sockets = await open_sockets(server, count, "bench:2")
    await asyncio.sleep(1)
    per_socket = (server.rss_kb() - before) / count
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return per_socket


# -- the run ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter runs")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--idle", type=int, default=5_000, help="idle sockets (0: skip)")
    args = parser.parse_args()
    seconds = 2.0 if args.quick else args.seconds
    # The goals' loads, then one past what a single Python process can fan out.
    loads = [(100, 2_000), (1_000, 2_000), (1_000, 5_000), (1_000, 40_000)]
    if args.quick:
        loads = [(100, 2_000), (1_000, 2_000)]

    workdir = tempfile.mkdtemp(prefix="preau-bench-")
    env = os.environ.copy() | {
        "SQLITE_PATH": f"{workdir}/bench.sqlite3",
        "ALLOWED_HOSTS": "*",
        "PREAU_DEMO": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PREAU_CHANNEL_PREFIX": f"preau-bench-{os.getpid()}",
    }
    redis_url = env.pop("REDIS_URL", "") or "redis://127.0.0.1:6379/0"
    env.pop("DATABASE_URL", None)
    token = prepare_database(env)

    servers = [lambda: start_bare(), lambda: start_preau("Préau mémoire", env, token)]
    if redis_available(redis_url):
        servers.append(lambda: start_preau("Préau Redis", env | {"REDIS_URL": redis_url}, token))
    else:
        print(f"(Redis absent à {redis_url} : mesure Redis omise)")

    results: dict[tuple[str, int, int], Result] = {}
    idle: dict[str, float] = {}
    for start in servers:
        if args.idle:
            # On a fresh process, before any load has grown its heap.
            server = start()
            try:
                idle[server.name] = asyncio.run(idle_rss(server, args.idle))
            finally:
                server.stop()
            print(
                f"{server.name:<18} {args.idle} sockets inactifs : "
                f"{idle[server.name]:.1f} Ko par socket",
                flush=True,
            )
        server = start()
        try:
            for subscribers, target in loads:
                result = asyncio.run(run_load(server, subscribers, target, seconds))
                results[(server.name, subscribers, target)] = result
                print(result.line(), flush=True)
        finally:
            server.stop()

    print("\nPréau / nu (débit livré ; p99 nu / p99 Préau) :")
    for (name, subscribers, target), result in results.items():
        if name == "websockets nu":
            continue
        bare = results[("websockets nu", subscribers, target)]
        print(
            f"  {name:<14} N={subscribers:<5} {target:>5}/s : débit {result.rate / bare.rate:.2f}"
            f"  latence {bare.p99 / max(result.p99, 0.001):.2f}"
        )


if __name__ == "__main__":
    main()
