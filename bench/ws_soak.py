"""Soak of the realtime gateway: hundreds of clients coming and going while events flow.

    .venv/bin/python -m bench.ws_soak --minutes 20      # or: make bench-soak MINUTES=20
    .venv/bin/python -m bench.ws_soak --minutes 3 --clients 500

Préau is served as deployed: `python -m config.serve` with two workers sharing Redis
(`REDIS_URL`, default redis://127.0.0.1:6379/0), on PostgreSQL when `DATABASE_URL` is set
(a database of its own, dropped at the end), else SQLite. One sender publishes durable
events on `bench:1` (and ephemeral ones beside them) at a steady rate; `--steady` sockets
follow `bench:1` for the whole run; `--clients` others connect, subscribe to a few of
`bench:1..20` (resuming `bench:1` with `since`), unsubscribe, send hostile frames (bad JSON,
deep nesting, unknown ops, huge and binary frames, ids past 64 bits, NUL bytes, topics they
may not follow), and leave, cleanly or by dropping the connection, at random.

It prints, for each worker at the start, every minute and at the end (after every client has
gone): RSS; what C malloc has in use and holds; Python's allocated blocks and its live
objects after a full collection (those created since the worker froze what it loaded at
start, `config/asgi.py`), with the most numerous types; sockets held by its hubs, topics
followed, tasks. Then the events lost: numbers a steady socket never received, and gaps in
what a returning client got after its `since` (what a `resync` announced is counted apart:
the gateway said so). Hub and feed counts must come back to their start, events lost must
be 0 (the exit status says so). Baselines in the same process: each worker's figures before
any client and at minute 2 (warmed up), against which the end is given as ratios, with the
types that grew. RSS that grows while objects, blocks and malloc's "in use" come back is
the allocators keeping freed memory, not a leak.

`--drop-every N` makes the workers drop one durable `bench:1` frame in N on its way out:
the run must then report losses, which shows that the count can see one.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import gc
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.forum_load import bench_database
from bench.ws_fanout import PAD, ROOT, _free_port, _wait_port, redis_available

HOSTILE: list[str | bytes] = [
    "pas du json",
    "[" * 60_000,
    '{"op": "nope"}',
    '{"op": "subscribe", "topic": "bench:99999999999999999999999"}',
    '{"op": "subscribe", "topic": "bench:1\\u0000"}',
    '{"op": "subscribe", "topic": "forum:1"}',
    '{"op": "subscribe", "topic": "bench:1", "since": "hier"}',
    '{"op": "send", "topic": "bench:1", "type": "bench.ping", "data": {"t": "x"}}',
    '{"op": "send", "topic": "bench:7", "type": "bench.blip", "data": {}}',
    '{"op": "send", "topic": "bench:1", "type": "chat.nope", "data": {}}',
    "x" * 70_000,
    b"\x00\xff\xfe binaire",
]


def __getattr__(name: str) -> Any:
    # `config.serve bench.ws_soak:application`: the bench topics, plus each worker writing
    # its counts to $SOAK_STATS/<pid>.json every second.
    if name == "application":
        from bench.ws_fanout import _bench_application

        return _with_stats(_bench_application())
    raise AttributeError(name)


def _with_stats(app):
    """The bench application, writing the worker's counts every second; a census of its
    live Python objects when the bench asks for one ($SOAK_STATS/census holds its number);
    and, with $SOAK_DROP_EVERY=n, one `bench:1` durable frame in n dropped on its way out,
    so that a run can show that its loss count sees a loss."""
    started: list[asyncio.Task] = []
    stats_dir = Path(os.environ["SOAK_STATS"])
    drop_every = int(os.environ.get("SOAK_DROP_EVERY") or 0)
    durable = 0

    async def write_stats() -> None:
        from realtime import hub

        path = stats_dir / f"{os.getpid()}.json"
        census: dict[str, Any] = {"census": 0}
        while True:
            asked = _census_asked(stats_dir)
            if asked > census["census"]:
                census = {"census": asked, **_census()}
            hubs = list(hub._hubs.values())
            stats = {
                "rss_kb": _rss_kb(os.getpid()),
                "sockets": sum(len(h.connections) for h in hubs),
                "feeds": sum(len(h.feeds) for h in hubs),
                "tasks": len(asyncio.all_tasks()),
                "blocks": sys.getallocatedblocks(),
                **_malloc_kb(),
                **census,
            }
            # Written aside, then renamed: the bench never reads half a file.
            path.with_suffix(".tmp").write_text(json.dumps(stats))
            path.with_suffix(".tmp").replace(path)
            await asyncio.sleep(1)

    async def wrapped(scope, receive, send):
        if not started:
            started.append(asyncio.get_running_loop().create_task(write_stats()))
        if not drop_every or scope["type"] != "websocket":
            return await app(scope, receive, send)

        async def lossy(message: dict) -> None:
            nonlocal durable
            text = message.get("text") or ""
            if text.startswith('{"topic":"bench:1",') and '"seq":' in text:
                durable += 1
                if durable % drop_every == 0:
                    return
            await send(message)

        await app(scope, receive, lossy)

    return wrapped


def _census_asked(stats_dir: Path) -> int:
    try:
        return int((stats_dir / "census").read_text())
    except (OSError, ValueError):
        return 0


def _census() -> dict[str, Any]:
    """Live objects after a full collection, and the most numerous types: what grows
    between two censuses is what the worker keeps."""
    gc.collect()
    objects = gc.get_objects()
    types = Counter(type(o).__qualname__ for o in objects)
    tasks = Counter(task.get_coro().__qualname__ for task in asyncio.all_tasks())
    return {
        "objects": len(objects),
        "types": dict(types.most_common(60)),
        "task_kinds": dict(tasks),
    }


def _malloc_kb() -> dict[str, int]:
    """What C malloc holds from the system and what of it is in use (glibc's mallinfo2):
    RSS growing while "in use" stays flat is the allocator keeping freed memory."""
    try:
        mallinfo2 = ctypes.CDLL(None).mallinfo2
    except AttributeError:  # not glibc
        return {}
    mallinfo2.restype = _MallInfo2
    info = mallinfo2()
    return {
        "malloc_used_kb": (info.uordblks + info.hblkhd) // 1024,
        "malloc_held_kb": (info.arena + info.hblkhd) // 1024,
    }


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def prepare(env: dict[str, str], people: int) -> list[str]:
    """Migrate the bench database; API tokens for `people` accounts."""
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from parcours.models import ApiToken

    call_command("migrate", verbosity=0)
    users = get_user_model().objects
    return [ApiToken.issue(users.create_user(f"soak{n}", password=None)) for n in range(people)]


def _why(exc: Exception) -> str:
    """An exception's type, with the close code the server sent if it closed the socket."""
    rcvd = getattr(exc, "rcvd", None)
    return f"{type(exc).__name__} {rcvd.code}" if rcvd is not None else type(exc).__name__


class Soak:
    def __init__(self, port: int, tokens: list[str], rng: random.Random) -> None:
        self.port, self.tokens, self.rng = port, tokens, rng
        self.published = 0  # highest seq acked to the sender
        # Per steady socket: the numbers it received, and those a `resync` told it it skipped.
        self.steady: list[tuple[set[int], set[int]]] = []
        self.counts: Counter = Counter()
        self.gaps = 0

    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/?token={self.rng.choice(self.tokens)}"

    async def connect(self):
        from websockets.asyncio.client import connect

        # No client keepalive: on a loaded machine the client's own ping timeouts would close
        # sockets the server keeps serving.
        for attempt in range(10):  # a worker still loading Django, or a loaded machine
            try:
                return await connect(
                    self.url(),
                    origin=f"http://127.0.0.1:{self.port}",
                    compression=None,
                    max_queue=None,
                    ping_interval=None,
                    open_timeout=30,
                )
            except (OSError, TimeoutError):
                if attempt == 9:
                    raise
                self.counts["connexion réessayée"] += 1
                await asyncio.sleep(1)
        raise AssertionError("unreachable")

    async def sender(self, rate: float, stop: asyncio.Event) -> None:
        ws = await self.connect()
        await ws.send(json.dumps({"op": "subscribe", "topic": "bench:1"}))
        n = 0

        async def acks() -> None:
            async for message in ws:
                frame = json.loads(message)
                if frame.get("op") == "ack" and frame.get("seq"):
                    self.published = max(self.published, frame["seq"])

        reader = asyncio.create_task(acks())
        while not stop.is_set():
            data = {"t": time.time(), "pad": PAD}
            kind = "bench.ping" if n % 2 == 0 else "bench.blip"
            frame = {"op": "send", "topic": "bench:1", "type": kind, "data": data, "ref": f"s{n}"}
            try:
                await ws.send(json.dumps(frame))
            except Exception as exc:  # closed under us: count it, and send from a new socket
                self.counts[f"émetteur : {_why(exc)}"] += 1
                reader.cancel()
                ws = await self.connect()
                await ws.send(json.dumps({"op": "subscribe", "topic": "bench:1"}))
                reader = asyncio.create_task(acks())
            n += 1
            await asyncio.sleep(1 / rate)
        await asyncio.sleep(1)
        reader.cancel()
        await ws.close()

    async def steady_socket(self, stop: asyncio.Event, ready: asyncio.Event) -> None:
        seen: set[int] = set()
        told: set[int] = set()
        self.steady.append((seen, told))
        ws = await self.connect()
        await ws.send(json.dumps({"op": "subscribe", "topic": "bench:1", "since": 0}))
        ready.set()
        try:
            while not stop.is_set():
                try:
                    message = await asyncio.wait_for(ws.recv(), 0.5)
                except TimeoutError:
                    continue
                frame = json.loads(message)
                if frame.get("topic") == "bench:1" and "seq" in frame:
                    seen.add(frame["seq"])
                elif frame.get("op") == "resync" and frame.get("topic") == "bench:1":
                    self.counts["resync (stable)"] += 1
                    told.update(range(max(seen, default=0) + 1, frame["seq"] + 1))
        finally:
            await ws.close()

    async def churner(self, stop: asyncio.Event) -> None:
        last = 0  # the last bench:1 seq this client applied, kept across its reconnections
        while not stop.is_set():
            try:
                last = await self._visit(last, stop)
            except Exception as exc:  # a refused or dropped connection: count it, come back
                self.counts[f"connexion : {_why(exc)}"] += 1
                await asyncio.sleep(0.2)

    async def _visit(self, last: int, stop: asyncio.Event) -> int:
        rng = self.rng
        ws = await self.connect()
        self.counts["connexions"] += 1
        follows = last > 0 or rng.random() < 0.5
        if follows:
            await ws.send(json.dumps({"op": "subscribe", "topic": "bench:1", "since": last}))
        for _ in range(rng.randint(0, 3)):
            topic = f"bench:{rng.randint(2, 20)}"
            await ws.send(json.dumps({"op": "subscribe", "topic": topic}))
        until = time.monotonic() + rng.uniform(0.5, 5)
        expect = last + 1 if follows else None
        while time.monotonic() < until and not stop.is_set():
            roll = rng.random()
            if roll < 0.05:
                await ws.send(rng.choice(HOSTILE))
                self.counts["trames hostiles"] += 1
            elif roll < 0.08:
                topic = f"bench:{rng.randint(2, 20)}"
                op = rng.choice(["subscribe", "unsubscribe"])
                await ws.send(json.dumps({"op": op, "topic": topic}))
            try:
                message = await asyncio.wait_for(ws.recv(), 0.2)
            except TimeoutError:
                continue
            if isinstance(message, bytes):
                continue
            frame = json.loads(message)
            if frame.get("topic") == "bench:1" and "seq" in frame and expect is not None:
                if frame["seq"] > expect:
                    self.gaps += frame["seq"] - expect
                if frame["seq"] >= expect:
                    last, expect = frame["seq"], frame["seq"] + 1
            elif frame.get("op") == "resync" and frame.get("topic") == "bench:1":
                self.counts["resync (retour)"] += 1
                last, expect = frame["seq"], frame["seq"] + 1
            elif frame.get("op") == "error":
                self.counts[f"erreur {frame.get('code')}"] += 1
        if rng.random() < 0.3:
            ws.transport.abort()  # gone without a closing handshake
            self.counts["coupures"] += 1
        else:
            await ws.close()
        return last


def census(label: str, stats_dir: Path, number: int) -> dict[str, dict]:
    """Ask every worker for a census of its objects, wait for their answers, print them."""
    (stats_dir / "census").write_text(str(number))
    deadline = time.monotonic() + 120
    while True:
        stats = {p.stem: json.loads(p.read_text()) for p in sorted(stats_dir.glob("*.json"))}
        if all(s.get("census", 0) >= number for s in stats.values()):
            break
        if time.monotonic() > deadline:
            print(f"  {label}: census {number} not answered by every worker", flush=True)
            break
        time.sleep(0.5)
    for pid, s in stats.items():
        print(
            f"  {label:<8} worker {pid}: RSS {s['rss_kb'] / 1024:6.1f} Mo, "
            f"malloc utilisé {s.get('malloc_used_kb', 0) / 1024:5.1f} Mo "
            f"sur {s.get('malloc_held_kb', 0) / 1024:5.1f}, "
            f"blocs {s['blocks']:8}, objets {s.get('objects', 0):7}, "
            f"sockets {s['sockets']:4}, sujets suivis {s['feeds']:3}, tâches {s['tasks']}",
            flush=True,
        )
    return stats


async def soak(port: int, tokens: list[str], args, stats_dir: Path) -> tuple[Soak, dict]:
    """The run; returns it with the census taken after warm-up (minute 2, else the first)."""
    run = Soak(port, tokens, random.Random(7))
    stop, churn_stop, sender_stop = asyncio.Event(), asyncio.Event(), asyncio.Event()
    readies = [asyncio.Event() for _ in range(args.steady)]
    steady = [asyncio.create_task(run.steady_socket(stop, ready)) for ready in readies]
    await asyncio.gather(*(ready.wait() for ready in readies))
    sender = asyncio.create_task(run.sender(args.rate, sender_stop))
    churners = []
    for _ in range(args.clients):
        churners.append(asyncio.create_task(run.churner(churn_stop)))
        await asyncio.sleep(0.01)
    began = time.monotonic()
    end = began + args.minutes * 60
    warm: dict = {}
    minute = 0
    while time.monotonic() < end:
        await asyncio.sleep(min(60, max(0, end - time.monotonic())))
        minute += 1
        print(
            f"  minute {minute}: publiés {run.published}, connexions {run.counts['connexions']}, "
            f"charge {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        stats = await asyncio.to_thread(census, "en cours", stats_dir, minute + 1)
        if minute <= 2:
            warm = stats
    churn_stop.set()
    await asyncio.gather(*churners)
    sender_stop.set()
    await sender
    await asyncio.sleep(3)  # the last frames reach the steady sockets
    stop.set()
    await asyncio.gather(*steady)
    return run, warm


def _growth(before: dict, after: dict, top: int = 8) -> str:
    """The types whose count grew most from one census to the other."""
    types = Counter(after.get("types", {}))
    types.subtract(before.get("types", {}))
    grown = [(name, n) for name, n in types.most_common(top) if n > 0]
    return ", ".join(f"{name} +{n}" for name, n in grown) or "aucun"


def _server_errors(log: Path) -> Counter:
    """The server's logged errors, by message (a traceback's first line)."""
    found: Counter = Counter()
    for line in log.read_text(errors="replace").splitlines():
        if " ERROR " in line or " CRITICAL " in line:
            found[line.split(" ", 3)[-1][:100]] += 1
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--steady", type=int, default=20)
    parser.add_argument("--rate", type=float, default=20.0, help="sends/s (half durable)")
    parser.add_argument(
        "--drop-every",
        type=int,
        default=0,
        help="the workers drop one durable bench:1 frame in N: the run must report losses",
    )
    args = parser.parse_args()

    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    if not redis_available(redis_url):
        sys.exit(f"bench.ws_soak needs Redis (two processes): none at {redis_url}")
    stats_dir = Path(tempfile.mkdtemp(prefix="preau-soak-"))
    env = os.environ.copy() | {
        "ALLOWED_HOSTS": "*",
        "PREAU_DEMO": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PREAU_CHANNEL_PREFIX": f"preau-soak-{os.getpid()}",
        "REDIS_URL": redis_url,
        "WEB_CONCURRENCY": "2",
        "SOAK_STATS": str(stats_dir),
        "SOAK_DROP_EVERY": str(args.drop_every),
        # Two processes on one file: a fresh SQLite file unless PostgreSQL is named.
        "SQLITE_PATH": f"{stats_dir}/soak.sqlite3",
    }
    env, drop = bench_database(env)
    process = None
    log = stats_dir / "server.log"
    try:
        tokens = prepare(env, 50)
        port = _free_port()
        command = [sys.executable, "-m", "config.serve", "--port", str(port)]
        with log.open("w") as server_log:
            process = subprocess.Popen(
                [*command, "bench.ws_soak:application"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=server_log,
            )
        _wait_port(port, process)
        database = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
        print(
            f"{database}, Redis, 2 workers, {args.clients} clients + {args.steady} stables, "
            f"{args.minutes:g} min, charge {os.getloadavg()[0]:.1f}"
            + (
                f", une trame durable sur {args.drop_every} perdue exprès"
                if args.drop_every
                else ""
            ),
            flush=True,
        )

        async def warm() -> None:  # one socket each way, so that both workers write stats
            run = Soak(port, tokens, random.Random(1))
            for _ in range(6):
                ws = await run.connect()
                await ws.close()
            await asyncio.sleep(2)

        asyncio.run(warm())
        start = census("début", stats_dir, 1)
        run, warm_stats = asyncio.run(soak(port, tokens, args, stats_dir))
        time.sleep(8)  # presence entries expire, released feeds settle
        end = census("fin", stats_dir, 10_000)
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        drop()

    numbers = set(range(1, run.published + 1))
    lost = [len(numbers - seen - told) for seen, told in run.steady]
    told = sum(len(told & numbers) for _, told in run.steady)
    print(f"\névénements durables publiés : {run.published}")
    print(f"perdus (sockets stables) : {sum(lost)} sur {len(lost)} sockets")
    print(f"sautés après un resync (annoncés) : {told}")
    print(f"trous après un retour avec since : {run.gaps}")
    print("compteurs :", dict(sorted(run.counts.items())))
    errors = _server_errors(log)
    print(f"erreurs du serveur : {sum(errors.values())} ({log})")
    for message, n in errors.most_common(5):
        print(f"  {n:6} fois : {message}")
    back_everywhere = True
    for pid in start:
        if pid not in end:
            print(f"worker {pid}: absent à la fin (redémarré ?)")
            back_everywhere = False
            continue
        s, e, w = start[pid], end[pid], warm_stats.get(pid, start[pid])
        back = (e["sockets"], e["feeds"]) == (s["sockets"], s["feeds"])
        back_everywhere &= back
        print(
            f"worker {pid}: RSS fin / début {e['rss_kb'] / s['rss_kb']:.2f}, "
            f"fin / minute 2 {e['rss_kb'] / w['rss_kb']:.2f}; "
            f"objets début {s.get('objects')}, minute 2 {w.get('objects')}, fin {e.get('objects')}"
            f" (fin / minute 2 {e.get('objects', 0) / max(1, w.get('objects', 0)):.3f}); "
            f"malloc utilisé fin / minute 2 "
            f"{e.get('malloc_used_kb', 0) / max(1, w.get('malloc_used_kb', 0)):.2f}; "
            f"tâches {s['tasks']} puis {e['tasks']}; "
            f"sockets et sujets revenus au début : {'oui' if back else 'NON'}"
        )
        if e["tasks"] != s["tasks"]:
            print(f"  tâches à la fin : {e.get('task_kinds')}")
        print(f"  types en hausse depuis la minute 2 : {_growth(w, e)}")
        print(f"  types en hausse depuis le début : {_growth(s, e)}")
    if sum(lost) or run.gaps or not back_everywhere:
        sys.exit(1)


if __name__ == "__main__":
    main()
