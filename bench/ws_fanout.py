"""Fan-out benchmark of the realtime gateway against a bare `websockets` broadcast server.

    .venv/bin/python -m bench.ws_fanout            # or: make bench-ws
    .venv/bin/python -m bench.ws_fanout --quick    # shorter runs, fewer steps

N subscribers follow one topic while publishers send 100-byte events at a fixed rate, taking
turns (deliveries/s = events/s x N). Several publishers by default (`--publishers`, 4): a
socket's durable sends are answered one after the other, each once its row is written and
numbered, so a single publisher measures that round trip, not the fan-out; every server gets
the same publishers. Servers: a bare `websockets` server that broadcasts what it
receives, and Préau as deployed (`python -m config.serve`, one worker, like the bare
server's one process) on the in-memory layer and, when `REDIS_URL` answers, on Redis. Préau
is measured in both tiers: durable (a `send` whose handler publishes: row, number, outbox)
and ephemeral (relayed as sent, no database).

For each server and tier it prints deliveries/s, p50/p99/max latency from send to receipt
and RSS per connection, first at 2,000 deliveries/s to 100 and 1,000 subscribers (the
issue's p99 goal), then raising the rate to 1,000 subscribers step by step until the server
falls behind (delivers under 90 % of the target, or p99 over 1 s): its saturation is the
best rate it delivered. Then the ratios Préau / bare at saturation and at 2,000/s, and the
RSS per idle socket (5,000 on a fresh process). Clients run here, on the same machine, so
the figures compare servers under the same client load.
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
        publish(str(sender.topic), Ping(**data))  # bad data: a ValidationError, `invalid`

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
        """RSS of the server and its children (gunicorn's worker holds the sockets)."""
        pids, total = [self.process.pid], 0
        while pids:
            pid = pids.pop()
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                continue
            pids.extend(int(child) for child in children)
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total

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
    """Préau as `make run` serves it, with one worker (the bare server is one process)."""
    port = _free_port()
    command = [sys.executable, "-m", "config.serve", "--port", str(port), "--workers", "1"]
    process = subprocess.Popen(
        [*command, "bench.ws_fanout:application"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )
    _wait_port(port, process)
    server = Server(name, process, port, token)
    asyncio.run(_until_served(server))
    return server


async def _until_served(server: Server, timeout: float = 90) -> None:
    """gunicorn answers on its port before its worker has loaded Django: wait for it."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            sockets = await open_sockets(server, 2, "bench:3")
            await asyncio.gather(*(ws.close() for ws in sockets))
            return
        except (OSError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(1)


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
                # A machine busy with other work answers a thousand handshakes slowly.
                open_timeout=60,
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


async def run_load(
    server: Server,
    subscribers: int,
    target: int,
    seconds: float,
    event_type: str = "bench.ping",
    publishers: int = 1,
) -> Result:
    topic = "bench:1"
    before = server.rss_kb()
    sockets = await open_sockets(server, subscribers, topic)
    await asyncio.sleep(0.5)
    rss_per_conn = (server.rss_kb() - before) / subscribers
    senders = await open_sockets(server, publishers, topic)
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
    readers.extend(asyncio.create_task(drain(ws)) for ws in senders)
    events = max(1, round(target / subscribers * seconds))
    interval = seconds / events
    start = time.time()

    async def publish(k: int) -> None:
        # The events take turns among the publishers, on one schedule.
        for n in range(k, events, publishers):
            await asyncio.sleep(max(0.0, start + n * interval - time.time()))
            frame = {"topic": topic, "type": event_type, "data": {"t": time.time(), "pad": PAD}}
            if server.token:
                frame = {"op": "send", "topic": topic, "type": event_type, "data": frame["data"]}
            await senders[k].send(json.dumps(frame))

    await asyncio.gather(*(publish(k) for k in range(publishers)))
    expected = events * subscribers
    deadline = time.monotonic() + max(10.0, seconds)
    while len(latencies) < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    for task in readers:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in [*sockets, *senders]), return_exceptions=True)
    ms = sorted(latency * 1000 for latency in latencies) or [0.0]
    elapsed = max(last_receipt[0] - start, seconds)
    await asyncio.sleep(1)  # the server settles before the next run
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


TIERS = {"durable": "bench.ping", "éphémère": "bench.blip"}


def behind(result: Result) -> bool:
    return result.delivered < 0.9 * result.expected or result.p99 > 1000


def saturate(
    server: Server, event_type: str, steps: list[int], seconds: float, label: str, publishers: int
):
    """Raise the rate to 1,000 subscribers until the server falls behind; the best rate."""
    best: Result | None = None
    for target in steps:
        result = asyncio.run(run_load(server, 1_000, target, seconds, event_type, publishers))
        result.server = label
        print("  " + result.line(), flush=True)
        if best is None or result.rate > best.rate:
            best = result
        if behind(result):
            break
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="runs of 2 s, coarser steps")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--idle", type=int, default=5_000, help="idle sockets (0: skip)")
    parser.add_argument("--publishers", type=int, default=4, help="sockets sending the events")
    args = parser.parse_args()
    seconds = 2.0 if args.quick else args.seconds
    steps = [5_000, 10_000, 20_000, 40_000, 80_000, 160_000]
    if not args.quick:
        steps = [5_000, 10_000, 15_000, 20_000, 30_000, 40_000, 60_000, 80_000, 120_000, 160_000]

    workdir = tempfile.mkdtemp(prefix="preau-bench-")
    env = os.environ.copy() | {
        "SQLITE_PATH": f"{workdir}/bench.sqlite3",
        "ALLOWED_HOSTS": "*",
        "PREAU_DEMO": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PREAU_CHANNEL_PREFIX": f"preau-bench-{os.getpid()}",
        "WEB_CONCURRENCY": "1",
    }
    redis_url = env.pop("REDIS_URL", "") or "redis://127.0.0.1:6379/0"
    env.pop("DATABASE_URL", None)
    token = prepare_database(env)
    print(
        f"charge au départ : {os.getloadavg()[0]:.1f} ; {args.publishers} publieur(s)", flush=True
    )

    servers = [
        ("websockets nu", start_bare),
        ("Préau mémoire", lambda: start_preau("Préau mémoire", env, token)),
    ]
    if redis_available(redis_url):
        redis_env = env | {"REDIS_URL": redis_url}
        servers.append(("Préau Redis", lambda: start_preau("Préau Redis", redis_env, token)))
    else:
        print(f"(Redis absent à {redis_url} : mesure Redis omise)")

    at_goal: dict[str, Result] = {}
    saturation: dict[str, Result] = {}
    idle: dict[str, float] = {}
    for name, start in servers:
        if args.idle:
            # On a fresh process, before any load has grown its heap.
            server = start()
            try:
                idle[name] = asyncio.run(idle_rss(server, args.idle))
            finally:
                server.stop()
            print(f"{name:<18} {args.idle} sockets inactifs : {idle[name]:.1f} Ko par socket")
        server = start()
        tiers = TIERS if server.token else {"": "bench.ping"}
        try:
            for tier, event_type in tiers.items():
                label = f"{name} {tier}".strip()
                for subscribers in (100, 1_000):
                    result = asyncio.run(
                        run_load(server, subscribers, 2_000, seconds, event_type, args.publishers)
                    )
                    result.server = label
                    print(result.line(), flush=True)
                at_goal[label] = result
                saturation[label] = saturate(
                    server, event_type, steps, seconds, label, args.publishers
                )
                print(
                    f"{label} : saturation vers {saturation[label].rate:.0f} livraisons/s",
                    flush=True,
                )
        finally:
            server.stop()

    print(f"\ncharge à la fin : {os.getloadavg()[0]:.1f}")
    bare_sat, bare_goal = saturation["websockets nu"], at_goal["websockets nu"]
    print("Préau / nu, 1 000 abonnés (débit à saturation ; p99 nu / p99 Préau à 2 000/s) :")
    for label, result in saturation.items():
        if label == "websockets nu":
            continue
        print(
            f"  {label:<24} saturation {result.rate:8.0f}/s contre {bare_sat.rate:8.0f}/s : "
            f"{result.rate / max(bare_sat.rate, 1):.2f}   "
            f"p99 à 2 000/s {at_goal[label].p99:6.1f} ms contre {bare_goal.p99:6.1f} ms : "
            f"{bare_goal.p99 / max(at_goal[label].p99, 0.001):.2f}"
        )
    if "websockets nu" in idle:
        bare_idle = idle["websockets nu"]
        for name, per_socket in idle.items():
            if name != "websockets nu":
                print(
                    f"  {name:<24} socket inactif {per_socket:.1f} Ko contre "
                    f"{bare_idle:.1f} Ko : {per_socket / max(bare_idle, 0.1):.2f}x"
                )


if __name__ == "__main__":
    main()
