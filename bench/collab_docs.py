"""Co-edited documents under load: N editors typing in one document at once.

    .venv/bin/python -m bench.collab_docs                      # 50, 100, 200 editors, 60 s each
    .venv/bin/python -m bench.collab_docs --seconds 20 --editors 50 100

Each editor is a socket on `/ws/docs/<id>/` speaking y-websocket, with a pycrdt document of
its own that makes real Yjs updates: every `1/rate` seconds it types a short tag
(`@<editor>:<n>;`) at the end of its own text. Every other editor's socket receives the
update; the tag, found in the update's bytes, says when it was sent. Printed per N: updates
per second sent (and applied by the server), deliveries per second, p50/p95/p99 of one
delivery and of the time an update takes to reach *every* other editor, the servers' memory
(RSS of every server process), and the document's stored size (snapshot + log) before and
after a final compaction, beside the bytes of all the updates sent.

With `REDIS_URL` set, two server processes (one `config.serve` worker each, each on its own
port) share the document through Redis, editors alternating between them; otherwise one.
With `DATABASE_URL`, PostgreSQL in a database of its own (dropped at the end), otherwise a
fresh SQLite file. The baseline, run in the same process with the same clients: a bare relay
(the `websockets` library, forwarding each message to the room's other sockets: no CRDT, no
database, no permissions). Clients run here, on the same machine as the servers, so the
figures include the clients' own work.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench.forum_load import bench_database
from bench.ws_fanout import _free_port, _wait_port

TAG = re.compile(rb"@(\d+):(\d+);")


# -- the baseline: a bare relay --------------------------------------------------------------


async def relay_server(port: int) -> None:
    from websockets.asyncio.server import broadcast, serve

    rooms: dict[str, set] = defaultdict(set)

    async def handler(ws) -> None:
        room = rooms[ws.request.path.split("?")[0]]
        room.add(ws)
        try:
            async for message in ws:
                broadcast([other for other in room if other is not ws], message)
        finally:
            room.discard(ws)

    async with serve(handler, "127.0.0.1", port, max_size=None, compression=None):
        await asyncio.Future()


# -- the world -------------------------------------------------------------------------------


def build_world(env: dict[str, str], editors: int) -> tuple[list[str], list[int]]:
    """Tokens of `editors` members of a space, and one new document per run."""
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from collab.models import Document
    from parcours.models import Academy, ApiToken, Space, SpaceMembership

    call_command("migrate", verbosity=0)
    academy = Academy.objects.create(code="charge", name="Charge", school_zone="B")
    space = Space.objects.create(title="Espace de charge", academy=academy)
    User = get_user_model()
    users = User.objects.bulk_create(User(username=f"redacteur{n:03d}") for n in range(editors))
    SpaceMembership.objects.bulk_create(SpaceMembership(space=space, user=u) for u in users)
    tokens = [ApiToken.issue(u) for u in users]
    documents = [Document.objects.create(scope=space.scope, title=f"Texte {n}") for n in range(3)]
    return tokens, [d.pk for d in documents]


def start_servers(env: dict[str, str]) -> list[tuple[subprocess.Popen, int]]:
    count = 2 if env.get("REDIS_URL") else 1
    servers = []
    for _ in range(count):
        port = _free_port()
        command = [sys.executable, "-m", "config.serve", "--port", str(port), "--workers", "1"]
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        _wait_port(port, process)
        servers.append((process, port))
    return servers


def rss_mib(root_pids: list[int]) -> float:
    """Resident memory of these processes and all their descendants."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                children[int(fields[1])].append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    total, todo = 0, list(root_pids)
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


# -- the editors -----------------------------------------------------------------------------


@dataclass
class Tally:
    sent: dict[tuple[int, int], float] = field(default_factory=dict)
    reached: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))
    last: dict[tuple[int, int], float] = field(default_factory=dict)
    delivery_ms: list[float] = field(default_factory=list)
    sent_bytes: int = 0
    errors: int = 0


async def editor(url: str, number: int, rate: float, window, tally: Tally, ready) -> None:
    from pycrdt import Doc, Text
    from websockets.asyncio.client import connect

    from collab import yprotocol

    doc = Doc()
    text = doc.get(f"t{number}", type=Text)
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    async with connect(
        url,
        origin=url.replace("ws://", "http://").split("/ws/")[0],
        max_size=None,
        compression=None,
    ) as ws:
        ready.release()

        async def read() -> None:
            async for message in ws:
                if isinstance(message, str):
                    continue
                now = time.monotonic()
                for who, n in TAG.findall(message):
                    key = (int(who), int(n))
                    sent = tally.sent.get(key)
                    if sent is not None and key[0] != number:
                        tally.delivery_ms.append((now - sent) * 1000)
                        tally.reached[key] += 1
                        tally.last[key] = now

        reader = asyncio.create_task(read())
        start, stop = window
        # Everyone connected first, then the editors' beats spread over one period.
        await asyncio.sleep(max(0.0, start - time.monotonic()) + number % 10 / 10 / rate)
        n = 0
        try:
            while time.monotonic() < stop:
                text.insert(len(text), f"@{number}:{n};")
                message = yprotocol.update_message(updates.pop())
                tally.sent[(number, n)] = time.monotonic()
                tally.sent_bytes += len(message)
                await ws.send(message)
                n += 1
                await asyncio.sleep(1 / rate)
            await asyncio.sleep(2)  # the last updates' deliveries
        except Exception:
            tally.errors += 1
        finally:
            reader.cancel()


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(urls: list[str], tokens: list[str], editors: int, seconds: float, rate: float):
    tally = Tally()
    ready = asyncio.Semaphore(0)
    start = time.monotonic() + 3 + editors / 50
    stop = start + seconds
    tasks = []
    for number in range(editors):
        url = urls[number % len(urls)]
        url = f"{url}?token={tokens[number]}" if "/ws/docs/" in url else url
        tasks.append(asyncio.create_task(editor(url, number, rate, (start, stop), tally, ready)))
        if number % 20 == 19:
            await asyncio.sleep(0.2)  # do not open every socket in the same instant
    for _ in range(editors):
        await asyncio.wait_for(ready.acquire(), 60)
    await asyncio.gather(*tasks)
    everyone = [
        (tally.last[key] - sent) * 1000
        for key, sent in tally.sent.items()
        if tally.reached.get(key, 0) >= editors - 1
    ]
    return {
        "updates_per_s": len(tally.sent) / seconds,
        "deliveries_per_s": len(tally.delivery_ms) / seconds,
        "p50": statistics.median(tally.delivery_ms or [0]),
        "p95": percentile(tally.delivery_ms, 0.95),
        "p99": percentile(tally.delivery_ms, 0.99),
        "all_p95": percentile(everyone, 0.95),
        "all_p99": percentile(everyone, 0.99),
        "complete": len(everyone) / max(1, len(tally.sent)),
        "sent_bytes": tally.sent_bytes,
        "errors": tally.errors,
    }


def stored(document_id: int) -> tuple[int, int, int]:
    from collab import documents

    before, rows = documents.stored_size(document_id), documents.log_length(document_id)
    documents.compact(document_id)
    return before, rows, documents.stored_size(document_id)


def line(label: str, r: dict) -> str:
    return (
        f"  {label:<10} {r['updates_per_s']:6.1f} màj/s  {r['deliveries_per_s']:7.0f} livr./s  "
        f"livraison p50 {r['p50']:6.1f} p95 {r['p95']:6.1f} p99 {r['p99']:6.1f} ms  "
        f"tous atteints p95 {r['all_p95']:6.1f} p99 {r['all_p99']:6.1f} ms "
        f"({r['complete']:.0%} des màj)  erreurs {r['errors']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--editors", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=1.0, help="updates per editor per second")
    parser.add_argument("--relay-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.relay_server:
        asyncio.run(relay_server(args.relay_server))
        return
    env = os.environ.copy() | {
        "ALLOWED_HOSTS": "*",
        "PREAU_DEMO": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PREAU_CHANNEL_PREFIX": f"preau-docs-bench-{os.getpid()}",
    }
    env, drop = bench_database(env)
    servers: list[tuple[subprocess.Popen, int]] = []
    relay = None
    try:
        tokens, document_ids = build_world(env, max(args.editors))
        from django.db import connections

        connections.close_all()
        servers = start_servers(env)
        relay_port = _free_port()
        relay = subprocess.Popen(
            [sys.executable, "-m", "bench.collab_docs", "--relay-server", str(relay_port)]
        )
        _wait_port(relay_port, relay)
        engine = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
        print(
            f"{engine}, {len(servers)} processus serveur{' (Redis)' if len(servers) > 1 else ''}, "
            f"{args.rate:g} màj/s par rédacteur, {args.seconds:.0f} s par mesure, "
            f"clients sur la même machine",
            flush=True,
        )
        for editors, document_id in zip(args.editors, document_ids, strict=False):
            base_urls = [f"ws://127.0.0.1:{relay_port}/doc{document_id}"]
            base = asyncio.run(run(base_urls, tokens, editors, args.seconds, args.rate))
            urls = [f"ws://127.0.0.1:{port}/ws/docs/{document_id}/" for _, port in servers]
            rss_before = rss_mib([p.pid for p, _ in servers])
            load = asyncio.run(run(urls, tokens, editors, args.seconds, args.rate))
            rss_after = rss_mib([p.pid for p, _ in servers])
            time.sleep(1.5)  # the rooms' last flush
            size_before, rows, size_after = stored(document_id)
            print(f"{editors} rédacteurs :")
            print(line("relais nu", base))
            print(line("Préau", load))
            ratio_p99 = load["all_p99"] / (base["all_p99"] or 1)
            ratio_rate = load["updates_per_s"] / base["updates_per_s"]
            ratio_p95 = load["p95"] / (base["p95"] or 1)
            print(
                f"  ratio Préau / relais : màj/s {ratio_rate:.2f}, "
                f"tous atteints p99 {ratio_p99:.2f}, livraison p95 {ratio_p95:.2f}"
            )
            print(
                f"  mémoire des serveurs : {rss_before:.0f} -> {rss_after:.0f} Mio ; "
                f"document stocké : {size_before} o ({rows} lignes de journal) -> "
                f"{size_after} o après compaction ; mises à jour envoyées : "
                f"{load['sent_bytes']} o",
                flush=True,
            )
    finally:
        for process, _ in servers:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if relay is not None:
            relay.kill()
            relay.wait()
        drop()


if __name__ == "__main__":
    main()
