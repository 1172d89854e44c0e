"""Co-edited documents under load: N editors typing in one document at once.

    .venv/bin/python -m bench.collab_docs                      # 50, 100, 200 editors, 60 s each
    .venv/bin/python -m bench.collab_docs --seconds 20 --editors 50 100

Each editor is a socket on `/ws/docs/<id>/` speaking y-websocket, with a pycrdt document of
its own that makes real Yjs updates: every `1/rate` seconds (default: one change a second
per editor, a short word appended, as a busy workshop types, not a stress loop) it types a
tag (`@<editor>:<n>:<time>;`) at the end of its own text. Every other editor's socket
receives the update; the tag, found in the frame's bytes (no Yjs decoding on the receiving
side), says when it was sent. Editors are spread over `--clients` processes. Printed per N:
updates per second sent, deliveries per second, p50/p95/p99 of one delivery and of the time
an update takes to reach *every* other editor, the servers' memory (RSS of every server
process), and the document's stored size (snapshot + log) before and after a final
compaction, beside the bytes of all the updates sent.

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
import base64
import os
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench.forum_load import bench_database
from bench.ws_fanout import _free_port, _wait_port

# -- the baseline: a bare relay --------------------------------------------------------------


async def relay_server(port: int) -> None:
    from websockets.asyncio.server import broadcast, serve
    from websockets.exceptions import ConnectionClosed

    rooms: dict[str, set] = defaultdict(set)

    async def handler(ws) -> None:
        room = rooms[ws.request.path.split("?")[0]]
        room.add(ws)
        try:
            async for message in ws:
                broadcast([other for other in room if other is not ws], message)
        except ConnectionClosed:  # the bench's clients leave without a closing handshake
            pass
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
#
# Editors run in several client processes (`--clients`), each an event loop with a share of
# the sockets: at 200 editors every socket receives ~200 frames a second, more than one
# Python process can read beside the servers. A client speaks just enough WebSocket (RFC
# 6455: the upgrade, masked binary frames out, frames in, pongs) to send real Yjs updates and
# find the tags in what it receives, without decoding Yjs. A tag carries its sending time on
# the machine's monotonic clock (`CLOCK_MONOTONIC`, shared by every process), so a receiver
# measures a delivery alone: `@<editor>:<n>:<sent, 0.1 ms>;`.

TAG = re.compile(rb"@(\d+):(\d+):(\d+);")
TICKS = 10_000  # tag time units per second


def _frame(payload: bytes, opcode: int = 0x2) -> bytes:
    """A client frame: masked, as RFC 6455 requires, with a zero key (the payload as is)."""
    size = len(payload)
    if size < 126:
        head = bytes([0x80 | opcode, 0x80 | size])
    elif size < 1 << 16:
        head = bytes([0x80 | opcode, 0x80 | 126]) + size.to_bytes(2, "big")
    else:
        head = bytes([0x80 | opcode, 0x80 | 127]) + size.to_bytes(8, "big")
    return head + b"\0\0\0\0" + payload


@dataclass
class Tally:
    """One client process's count: every delivery's time, and per update how many editors
    it reached and when the last one got it."""

    delivery_ms: list[float] = field(default_factory=list)
    reached: dict[tuple[int, int], list] = field(default_factory=dict)
    sent: int = 0
    sent_bytes: int = 0
    errors: int = 0

    def received(self, payload: bytes, me: int, now: float) -> None:
        for who, n, sent in TAG.findall(payload):
            who = int(who)
            if who == me:
                continue
            ms = now * 1000 - int(sent) / (TICKS / 1000)
            self.delivery_ms.append(ms)
            seen = self.reached.get((who, int(n)))
            if seen is None:
                self.reached[(who, int(n))] = [1, ms]
            else:
                seen[0] += 1
                seen[1] = max(seen[1], ms)


async def _open(url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    writer.write(
        (
            f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}"
            f"\r\nSec-WebSocket-Version: 13\r\nOrigin: http://{parts.netloc}\r\n\r\n"
        ).encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 101"):
        raise ConnectionError(head.split(b"\r\n", 1)[0].decode())
    return reader, writer


async def _read(reader, writer, me: int, tally: Tally) -> None:
    """Frames in: binary ones scanned for tags, pings answered; until the socket closes."""
    buffer = b""
    while True:
        chunk = await reader.read(1 << 16)
        if not chunk:
            return
        now = time.monotonic()
        buffer += chunk
        while len(buffer) >= 2:
            opcode, size, at = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
            if size == 126:
                size, at = int.from_bytes(buffer[2:4], "big"), 4
            elif size == 127:
                size, at = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < at + size:
                break
            payload, buffer = buffer[at : at + size], buffer[at + size :]
            if opcode in (0x0, 0x2):
                tally.received(payload, me, now)
            elif opcode == 0x9:
                writer.write(_frame(payload, 0xA))
            elif opcode == 0x8:
                return


async def _editor(reader, writer, me: int, rate: float, window, tally: Tally) -> None:
    from pycrdt import Doc, Text

    from collab import yprotocol

    doc = Doc()
    text = doc.get(f"t{me}", type=Text)
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    reading = asyncio.create_task(_read(reader, writer, me, tally))
    try:
        start, stop = window
        # The editors' beats spread over one period.
        beat = start + (me * 0.618) % 1 / rate
        await asyncio.sleep(max(0.0, beat - time.monotonic()))
        n = 0
        while beat < stop:
            text.insert(len(text), f"@{me}:{n}:{int(time.monotonic() * TICKS)};")
            message = _frame(yprotocol.update_message(updates.pop()))
            tally.sent += 1
            tally.sent_bytes += len(message)
            writer.write(message)
            n += 1
            beat += 1 / rate  # a steady rate, not slowed down by a late loop
            await asyncio.sleep(max(0.0, beat - time.monotonic()))
        await asyncio.sleep(2)  # the last updates' deliveries
    except Exception:
        tally.errors += 1
    finally:
        reading.cancel()
        writer.close()


def client_process(urls, editors, rate, seconds, ready, start, results) -> None:
    """One client process: its editors' sockets on one event loop. Once every socket of
    every client process is open (the first barrier of `ready`), the parent sets `start`
    before the second lets them go."""

    async def main() -> Tally:
        tally = Tally()
        sockets = []
        for url in urls:
            sockets.append(await _open(url))
            await asyncio.sleep(0.01)  # do not open every socket in the same instant
        for barrier in ready:  # every socket open; then `start` is set
            await asyncio.get_running_loop().run_in_executor(None, barrier.wait)
        window = (start.value, start.value + seconds)
        await asyncio.gather(
            *(
                _editor(reader, writer, number, rate, window, tally)
                for (reader, writer), number in zip(sockets, editors, strict=True)
            )
        )
        return tally

    results.put(asyncio.run(main()))


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(
    urls: list[str], tokens: list[str], editors: int, seconds: float, rate: float, clients: int
) -> dict:
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    ready = (context.Barrier(clients + 1), context.Barrier(clients + 1))
    start, results = context.Value("d", 0.0), context.Queue()
    processes = []
    for c in range(clients):
        numbers = list(range(c, editors, clients))
        own = [urls[n % len(urls)] for n in numbers]
        own = [
            f"{u}?token={tokens[n]}" if "/ws/docs/" in u else u
            for u, n in zip(own, numbers, strict=True)
        ]
        process = context.Process(
            target=client_process, args=(own, numbers, rate, seconds, ready, start, results)
        )
        process.start()
        processes.append(process)
    try:
        ready[0].wait(timeout=300)
        start.value = time.monotonic() + 1
        ready[1].wait(timeout=30)
        tallies = [results.get(timeout=seconds + 120) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
    delivery_ms = [ms for t in tallies for ms in t.delivery_ms]
    reached: dict[tuple[int, int], list] = {}
    for tally in tallies:
        for key, (count, last) in tally.reached.items():
            seen = reached.setdefault(key, [0, 0.0])
            seen[0] += count
            seen[1] = max(seen[1], last)
    sent = sum(t.sent for t in tallies)
    everyone = [last for count, last in reached.values() if count >= editors - 1]
    return {
        "updates_per_s": sent / seconds,
        "deliveries_per_s": len(delivery_ms) / seconds,
        "p50": statistics.median(delivery_ms or [0]),
        "p95": percentile(delivery_ms, 0.95),
        "p99": percentile(delivery_ms, 0.99),
        "all_p95": percentile(everyone, 0.95),
        "all_p99": percentile(everyone, 0.99),
        "complete": len(everyone) / max(1, sent),
        "sent_bytes": sum(t.sent_bytes for t in tallies),
        "errors": sum(t.errors for t in tallies),
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
    parser.add_argument("--clients", type=int, default=4, help="client processes")
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
            f"{args.clients} processus clients sur la même machine",
            flush=True,
        )
        for editors, document_id in zip(args.editors, document_ids, strict=False):
            base_urls = [f"ws://127.0.0.1:{relay_port}/doc{document_id}"]
            base = run(base_urls, tokens, editors, args.seconds, args.rate, args.clients)
            urls = [f"ws://127.0.0.1:{port}/ws/docs/{document_id}/" for _, port in servers]
            rss_before = rss_mib([p.pid for p, _ in servers])
            load = run(urls, tokens, editors, args.seconds, args.rate, args.clients)
            rss_after = rss_mib([p.pid for p, _ in servers])
            time.sleep(1.5)  # the rooms' last flush
            size_before, rows, size_after = stored(document_id)
            load_avg = ", ".join(f"{v:.1f}" for v in os.getloadavg())
            print(f"{editors} rédacteurs (charge de la machine : {load_avg}) :")
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
