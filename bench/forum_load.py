"""Forum load: a session of 300 members, 50 of them posting and liking over the API while
300 sockets follow the forum live.

    .venv/bin/python -m bench.forum_load
    .venv/bin/python -m bench.forum_load --quick      # a shorter run
    .venv/bin/python -m bench.forum_load --sockets 0  # the writes alone, without the fan-out

With `DATABASE_URL` set it runs against PostgreSQL, in a database of its own created next to
the one named and dropped at the end; otherwise on a fresh SQLite file. With `REDIS_URL` set
it serves with two processes sharing Redis, otherwise one: `python -m config.serve` and its
workers as `make run` does, or with `--server daphne` two daphne processes (each on its own
port, writers and sockets spread over both), as Préau was served before. It prints
requests/s, p50/p99 of API writes, and p50/p99 of live delivery (from the start of the
write request to the frame's arrival on each following socket), then a ratio against a
baseline run in the same process: the same 50 clients reading `/me`.

What it assumes: the 50 writers are spread over the forum's 10 discussions (five or so per
discussion at any moment, as when a trainer asks a group to answer in its own thread), and
every socket follows the forum and one discussion, as an open forum page does.

People's rate limits on posting and liking are lifted in the served application: the bench
measures the server, not the limits. Clients run here, on the same machine as the servers:
the writers in threads of this process, the listening sockets in a process of their own.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.ws_fanout import _free_port, _wait_port

MEMBERS, WRITERS, DISCUSSIONS = 300, 50, 10


def __getattr__(name: str) -> Any:
    # `daphne bench.forum_load:application` serves Préau with people's rate limits lifted.
    if name == "application":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        from django.conf import settings

        from config.asgi import application

        settings.FORUMS_POST_RATE = settings.FORUMS_LIKE_RATE = (1_000_000, 60)
        return application
    raise AttributeError(name)


# -- database and world ----------------------------------------------------------------


def bench_database(env: dict[str, str]) -> tuple[dict[str, str], Any]:
    """The environment of a fresh bench database, and how to drop it afterwards."""
    url = env.get("DATABASE_URL", "")
    if not url:
        path = f"{tempfile.mkdtemp(prefix='preau-forum-bench-')}/bench.sqlite3"
        return env | {"SQLITE_PATH": path}, lambda: None
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'preau'}_forum_bench_{os.getpid()}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return env | {"DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}"))}, drop


@dataclass
class World:
    forum_id: int
    discussion_ids: list[int]
    first_post_ids: list[int]
    tokens: list[str]  # one per member; the first WRITERS write


def build_world(env: dict[str, str]) -> World:
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from forums import services
    from parcours.models import Academy, ApiToken, Membership, Parcours, Session

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    session = Session.objects.create(
        parcours=Parcours.objects.create(title="Parcours de charge"),
        academy=Academy.objects.create(code="charge", name="Charge", school_zone="B"),
        title="Session de charge",
        starts_on=today,
        ends_on=today + timedelta(days=365),
    )
    User = get_user_model()
    users = User.objects.bulk_create(User(username=f"membre{n:03d}") for n in range(MEMBERS))
    Membership.objects.bulk_create(
        Membership(session=session, user=u, role="trainer" if n == 0 else "participant")
        for n, u in enumerate(users)
    )
    forum = services.create_forum(
        scope=session.scope, actor=users[0], title="Forum de charge", kind="standard"
    )
    discussions = [
        services.start_discussion(
            forum=forum, author=users[0], title=f"Discussion {n}", body="<p>Ouverture</p>"
        )
        for n in range(DISCUSSIONS)
    ]
    return World(
        forum.pk,
        [d.pk for d in discussions],
        [d.posts.get().pk for d in discussions],
        [ApiToken.issue(u) for u in users],
    )


# -- servers ---------------------------------------------------------------------------


def start_servers(env: dict[str, str], kind: str) -> tuple[list[tuple[Any, int]], str]:
    """What serves the bench: `preau`, as `make run` starts it (`config.serve`: one port,
    one worker per core when Redis is there), or `daphne`, as Préau was served before (one
    daphne process per core when Redis is there, each on its own port)."""
    app = "bench.forum_load:application"
    count = 2 if env.get("REDIS_URL") else 1
    servers = []
    for _ in range(1 if kind == "preau" else count):
        port = _free_port()
        if kind == "preau":
            command = [sys.executable, "-m", "config.serve", "--port", str(port), app]
        else:
            command = [sys.executable, "-m", "daphne", "-v", "0", "--access-log", os.devnull]
            command += ["-b", "127.0.0.1", "-p", str(port), app]
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        _wait_port(port, process)
        servers.append((process, port))
    for _, port in servers:
        _until_serving(port)
    if kind == "preau":
        return servers, f"python -m config.serve ({count} worker{'s' if count > 1 else ''})"
    return servers, f"{count} processus daphne"


def _until_serving(port: int, timeout: float = 120) -> None:
    """The port opens before the workers have loaded Django (gunicorn's master listens first):
    wait until `/health` answers, then a few more times, so that no measure includes a
    worker's start (a first `GET /me` took 13 to 21 s on this loaded machine because of it)."""
    deadline, answered = time.monotonic() + timeout, 0
    while answered < 10:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/health")
            conn.getresponse().read()
            conn.close()
            answered += 1
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


# -- clients ---------------------------------------------------------------------------


@dataclass
class Tally:
    """Write latencies, and when each write began, keyed by what its live frame carries."""

    write_ms: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    started: dict[tuple, float] = field(default_factory=dict)
    # (key, arrival time) of each frame a socket received, matched with `started` at the end:
    # a frame may arrive before its write's response, and the socket keeps reading meanwhile.
    arrived: list[tuple[tuple, float]] = field(default_factory=list)
    last_frame: float = 0.0  # when any socket last received anything

    @property
    def live_ms(self) -> list[float]:
        return [(at - self.started[key]) * 1000 for key, at in self.arrived if key in self.started]

    # Posts written during the run, with their writer: what the others may like.
    written: list[tuple[int, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def call(conn: http.client.HTTPConnection, token: str, method: str, path: str, body=None):
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn.request(method, f"/api/v1{path}", body=data, headers=headers)
    response = conn.getresponse()
    return response.status, json.loads(response.read() or b"null")


def writer(port: int, token: str, world: World, tally: Tally, stop: float, seed: int) -> int:
    """Alternate replies and likes until `stop`; returns the number of requests made.

    Writers are participants: the opening posts are the trainer's, so anyone may like them."""
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    liked: set[int] = set()
    made = 0
    while time.time() < stop:
        began = time.time()
        if made % 2 == 0:
            discussion = rng.choice(world.discussion_ids)
            status, body = call(
                conn,
                token,
                "POST",
                f"/discussions/{discussion}/posts",
                {"body": f"Réponse {made} de charge"},
            )
            key = ("post", body["id"]) if status == 201 else None
            if key:
                tally.written.append((body["id"], seed))
        else:
            recent = [p for p, who in tally.written[-200:] if who != seed and p not in liked]
            post = rng.choice(recent or world.first_post_ids)
            status, body = call(conn, token, "PUT", f"/posts/{post}/like")
            liked.add(post)
            key = ("like", post, body["like_count"]) if status == 200 else None
        with tally.lock:
            tally.write_ms.append((time.time() - began) * 1000)
            if key:
                tally.started[key] = began
            else:
                tally.errors[status] += 1
        made += 1
    conn.close()
    return made


def reader(port: int, token: str, tally: Tally, stop: float) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    made = 0
    while time.time() < stop:
        began = time.time()
        status, _ = call(conn, token, "GET", "/me")
        with tally.lock:
            tally.write_ms.append((time.time() - began) * 1000)
            if status != 200:
                tally.errors[status] += 1
        made += 1
    conn.close()
    return made


async def listen(port: int, token: str, topics: list[str], tally: Tally, ready) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidHandshake

    for attempt in range(5):  # a loaded machine may drop a handshake: try again
        try:
            ws = await connect(
                f"ws://127.0.0.1:{port}/ws/?token={token}",
                origin=f"http://127.0.0.1:{port}",
                max_queue=None,
                open_timeout=30,
            )
            break
        except (OSError, TimeoutError, InvalidHandshake):
            if attempt == 4:
                raise
            await asyncio.sleep(0.5 * (attempt + 1))
    async with ws:
        for topic in topics:
            await ws.send(json.dumps({"op": "subscribe", "topic": topic}))
            while json.loads(await ws.recv()).get("op") != "subscribed":
                pass
        ready()
        async for message in ws:
            tally.last_frame = time.time()
            frame = json.loads(message)
            data, kind = frame.get("data") or {}, frame.get("type")
            key = None
            if kind == "forum.post_created" and frame["topic"].startswith("forum:"):
                key = ("post", data["post_id"])
            elif kind == "forum.like_count":
                key = ("like", data["post_id"], data["like_count"])
            if key:
                tally.arrived.append((key, time.time()))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values) or [0.0]
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def _listen_all(ports: list[int], world: World, sockets: int, tally: Tally, ready) -> None:
    """Every socket following the forum and one discussion; `ready()` once all are subscribed
    and the arrivals' presence frames have drained (connecting is not what is measured)."""
    tasks, connected = [], []
    for n, token in enumerate(world.tokens[:sockets]):
        topics = [f"forum:{world.forum_id}", f"discussion:{world.discussion_ids[n % 10]}"]
        tasks.append(
            asyncio.create_task(
                listen(ports[n % len(ports)], token, topics, tally, lambda: connected.append(1))
            )
        )
        if n % 20 == 19:  # a few at a time
            await asyncio.sleep(0.2)
    try:
        while len(connected) < len(tasks):
            failed = [task for task in tasks if task.done()]
            if failed:
                raise RuntimeError(f"a listening socket failed: {failed[0].exception()!r}")
            await asyncio.sleep(0.1)
        # Each arrival is announced to everyone present on the forum's topic (300 by 300
        # presence frames): the writes start once that has drained.
        settled = time.time() + 120
        while time.time() - tally.last_frame < 1.0 and time.time() < settled:
            await asyncio.sleep(0.2)
        ready()
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def listeners(ports: list[int], world: World, sockets: int, ready, stop, arrivals) -> None:
    """The listening sockets, in a process of their own: on the writers' side of the GIL they
    delayed the writers' own clocks (15,000 frames a second to parse). Sends the frames'
    arrivals back once `stop` is set."""
    tally = Tally()

    async def until_stopped() -> None:
        listening = asyncio.create_task(_listen_all(ports, world, sockets, tally, ready.set))
        while not stop.is_set() and not listening.done():
            await asyncio.sleep(0.1)
        listening.cancel()
        await asyncio.gather(listening, return_exceptions=True)
        if listening.done() and not listening.cancelled() and listening.exception():
            raise listening.exception()

    try:
        asyncio.run(until_stopped())
    finally:
        arrivals.put(tally.arrived)


async def run(
    ports: list[int], world: World, seconds: float, *, baseline: bool, sockets: int = MEMBERS
) -> dict:
    tally = Tally()
    context = multiprocessing.get_context("spawn")
    ready, stop, arrivals = context.Event(), context.Event(), context.Queue()
    listening = None
    if not baseline and sockets:
        listening = context.Process(
            target=listeners, args=(ports, world, sockets, ready, stop, arrivals), daemon=True
        )
        listening.start()
        while not ready.wait(0.5):
            if not listening.is_alive():
                raise RuntimeError("the listening sockets failed (see above)")
    stop_at = time.time() + seconds
    work = reader if baseline else writer
    args = [
        (ports[n % len(ports)], world.tokens[n], tally, stop_at)
        if baseline
        else (ports[n % len(ports)], world.tokens[n], world, tally, stop_at, n)
        for n in range(1, WRITERS + 1)
    ]
    loop = asyncio.get_running_loop()
    # One thread per client: asyncio's default executor would run only a handful at a time
    # (cores + 4), and the others would start after `stop_at` and make no request at all.
    with ThreadPoolExecutor(max_workers=len(args), thread_name_prefix="client") as clients:
        began = time.time()
        made = await asyncio.gather(*(loop.run_in_executor(clients, work, *a) for a in args))
        elapsed = time.time() - began
    load = os.getloadavg()[0]  # the machine's load during the measure, printed beside it
    if listening is not None:
        await asyncio.sleep(2)  # let the last frames arrive
        stop.set()
        tally.arrived = await loop.run_in_executor(None, arrivals.get)
        listening.join()
    return {"rps": sum(made) / elapsed, "requests": sum(made), "tally": tally, "load": load}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 s instead of 20 s")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--server", choices=["preau", "daphne"], default="preau")
    parser.add_argument(
        "--sockets",
        type=int,
        default=MEMBERS,
        help="sockets following live (0: what the fan-out costs)",
    )
    args = parser.parse_args()
    seconds = 5.0 if args.quick else args.seconds
    env = os.environ.copy() | {
        "ALLOWED_HOSTS": "*",
        "PREAU_DEMO": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PREAU_CHANNEL_PREFIX": f"preau-forum-bench-{os.getpid()}",
    }
    env, drop = bench_database(env)
    servers = []
    try:
        world = build_world(env)
        from django.db import connections

        connections.close_all()
        servers, described = start_servers(env, args.server)
        ports = [port for _, port in servers]
        engine = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
        print(
            f"{engine}, {described}, {MEMBERS} membres, {WRITERS} rédacteurs, "
            f"{args.sockets} sockets, "
            f"{seconds:.0f} s par mesure",
            flush=True,
        )
        asyncio.run(run(ports, world, 2, baseline=True))  # warm every worker's threads and pool
        base = asyncio.run(run(ports, world, seconds, baseline=True))
        load = asyncio.run(run(ports, world, seconds, baseline=False, sockets=args.sockets))
    finally:
        for process, _ in servers:
            process.terminate()  # gunicorn lets its workers finish for up to 10 s
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        drop()
    b, t = base["tally"], load["tally"]
    live = t.live_ms
    print(
        f"référence GET /me     : {base['rps']:7.0f} req/s  p50 "
        f"{statistics.median(b.write_ms):6.1f} ms  p99 {percentile(b.write_ms, 0.99):6.1f} ms"
        f"  (charge {base['load']:.1f})"
    )
    print(
        f"écritures forum (API) : {load['rps']:7.0f} req/s  p50 "
        f"{statistics.median(t.write_ms):6.1f} ms  p99 {percentile(t.write_ms, 0.99):6.1f} ms"
        f"  ({load['requests']} requêtes, erreurs {dict(t.errors)}, charge {load['load']:.1f})"
    )
    print(
        f"livraison en direct   : {len(live)} trames  p50 "
        f"{statistics.median(live or [0]):6.1f} ms  p99 {percentile(live, 0.99):6.1f} ms"
    )
    base_p99 = percentile(b.write_ms, 0.99) or 1.0
    print(
        f"ratio écritures / référence : débit {load['rps'] / base['rps']:.2f}, "
        f"p99 {percentile(t.write_ms, 0.99) / base_p99:.2f} ; "
        f"livraison / référence : p99 {percentile(live, 0.99) / base_p99:.2f}"
    )


if __name__ == "__main__":
    main()
