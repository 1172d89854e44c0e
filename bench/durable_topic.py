"""Durable events on one topic: a class of 30 people sending at once (chat, hands, votes).

    .venv/bin/python -m bench.durable_topic            # or: make bench-durable
    .venv/bin/python -m bench.durable_topic --quick    # shorter runs

Préau is served as `make run` serves it (`python -m config.serve`: one worker, or one per
core with `REDIS_URL`), on PostgreSQL when `DATABASE_URL` is set (a database of its own,
dropped at the end), else SQLite. 30 sockets follow `bench:1` and send on it.

For each target rate, the senders share the load (open loop: on schedule, whatever the
answers) and it prints events/s acknowledged, p50/p99 from send to ack (the event is numbered
and committed), p50/p99 from send to arrival on the listeners, and whether every listener got
every number once, in order. Then each sender sends as soon as its previous event is acked
(closed loop): the topic's ceiling. The baseline, run in the same process against the same
server: the same senders sending an ephemeral type on the same topic (relayed, no database);
ratios are durable / ephemeral. Each run also prints the server's CPU time per acknowledged
event (its processes, PostgreSQL and Redis apart), which a busy machine disturbs far less
than rates and latencies. Goal (issue 16): >= 500 durable events/s with p99 < 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.forum_load import bench_database, percentile
from bench.ws_fanout import PAD, ROOT, Server, _free_port, _wait_port, open_sockets

TOPIC = "bench:1"


@dataclass
class Run:
    kind: str
    target: float
    sent: int = 0
    acked: list[float] = field(default_factory=list)
    delivered: list[float] = field(default_factory=list)
    errors: int = 0
    in_order: bool = True
    elapsed: float = 0.0
    cpu: float = 0.0  # seconds of the server's processes during the run

    @property
    def cpu_ms(self) -> float:
        """Server CPU per acknowledged event: what an event costs, whatever else the machine
        runs meanwhile (throughput and latencies follow the load average, this much less)."""
        return self.cpu * 1000 / len(self.acked) if self.acked else 0.0

    @property
    def rate(self) -> float:
        return len(self.acked) / self.elapsed if self.elapsed else 0.0

    def line(self) -> str:
        target = "max" if not self.target else f"{self.target:.0f}/s"
        return (
            f"{self.kind:<10} cible {target:>7}  acquittés {len(self.acked)}/{self.sent} "
            f"{self.rate:7.0f}/s  ack p50 {percentile(self.acked, 0.5):6.1f} ms "
            f"p99 {percentile(self.acked, 0.99):6.1f} ms  livraison p50 "
            f"{percentile(self.delivered, 0.5):6.1f} ms "
            f"p99 {percentile(self.delivered, 0.99):6.1f} ms"
            f"  CPU serveur {self.cpu_ms:5.2f} ms/évt"
            f"  erreurs {self.errors}" + ("" if self.in_order else "  ORDRE/TROUS !")
        )


async def run(
    server: Server, kind: str, senders: int, target: float, seconds: float, watched: int
) -> Run:
    """`target` events/s shared by the senders (0: each sends once its previous is acked).

    Every sender follows the topic (it must, to send) and so receives every event: the class
    of 30. `watched` of them decode each frame for delivery times and numbers; the others
    read the frames and decode only their acks, so that the bench's own client process,
    on the same two cores, costs the server as little as possible.
    """
    event_type = "bench.ping" if kind == "durable" else "bench.blip"
    sockets = await open_sockets(server, senders, TOPIC)
    result = Run(kind, target)
    sent_at: dict[str, float] = {}
    acked: dict[str, asyncio.Future] = {}
    seqs: list[list[int]] = [[] for _ in range(watched)]
    refs = itertools.count()
    # Frames of this run only: events a saturated server still publishes from the previous one
    # are not counted.
    tag = f"{kind}{target}-"
    stop_at = time.monotonic() + seconds

    def on_ack(frame: dict) -> None:
        ref = frame.get("ref")
        if frame["op"] == "ack" and ref in sent_at:
            result.acked.append((time.monotonic() - sent_at.pop(ref)) * 1000)
        elif frame["op"] == "error":
            result.errors += 1
            sent_at.pop(ref, None)
        future = acked.pop(ref, None)
        if future is not None:
            future.set_result(None)

    async def read(ws, mine: list[int] | None) -> None:
        async for message in ws:
            if message.startswith('{"op":'):
                on_ack(json.loads(message))
            elif mine is not None:
                frame = json.loads(message)
                data = frame.get("data")
                if "seq" in frame:  # every number, stragglers of the previous run included
                    mine.append(frame["seq"])
                if isinstance(data, dict) and data.get("pad", "").startswith(tag):
                    result.delivered.append((time.time() - data["t"]) * 1000)

    async def send(ws, wait: bool) -> None:
        ref = f"r{next(refs)}"
        sent_at[ref] = time.monotonic()
        if wait:
            acked[ref] = asyncio.get_running_loop().create_future()
        data = {"t": time.time(), "pad": f"{tag}{PAD}"}
        frame = {"op": "send", "topic": TOPIC, "type": event_type, "data": data, "ref": ref}
        await ws.send(json.dumps(frame))
        result.sent += 1
        if wait:
            await acked[ref]

    async def open_loop(ws, offset: float) -> None:
        interval = senders / target
        start, n = time.monotonic() + offset * interval, 0
        while (at := start + n * interval) < stop_at:
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            await send(ws, wait=False)
            n += 1

    async def closed_loop(ws) -> None:
        while time.monotonic() < stop_at:
            await send(ws, wait=True)

    readers = [
        asyncio.create_task(read(ws, seqs[n] if n < watched else None))
        for n, ws in enumerate(sockets)
    ]
    cpu_before = cpu_seconds(server.process.pid)
    started = time.monotonic()
    if target:
        await asyncio.gather(*(open_loop(ws, i / senders) for i, ws in enumerate(sockets)))
    else:
        await asyncio.gather(*(closed_loop(ws) for ws in sockets))
    deadline = time.monotonic() + 15
    while sent_at and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    result.elapsed = time.monotonic() - started
    await asyncio.sleep(1)  # the last deliveries
    result.cpu = cpu_seconds(server.process.pid) - cpu_before
    for task in readers:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    if kind == "durable":
        result.in_order = all(
            mine == list(range(mine[0], mine[0] + len(mine))) for mine in seqs if mine
        )
    await asyncio.sleep(2)  # the server settles before the next run
    return result


def cpu_seconds(pid: int) -> float:
    """User and system CPU of a process and its descendants (gunicorn and its workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids, total = [pid], 0
    while pids:
        current = pids.pop()
        try:
            stat = Path(f"/proc/{current}/stat").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
        pids.extend(int(child) for child in children)
    return total / ticks


async def ready(server: Server, timeout: float = 90) -> None:
    """gunicorn answers on its port before its workers have loaded Django: wait for them."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            # A worker still starting may answer a subscribe with an error: try again.
            async with asyncio.timeout(20):
                sockets = await open_sockets(server, 4, TOPIC)
            await asyncio.gather(*(ws.close() for ws in sockets))
            return
        except (OSError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="runs of 2 s")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--senders", type=int, default=30)
    parser.add_argument("--rates", default="250,500,1000", help="events/s, comma-separated")
    parser.add_argument("--watched", type=int, default=5, help="senders timing deliveries")
    args = parser.parse_args()
    seconds = 2.0 if args.quick else args.seconds
    rates = [float(rate) for rate in args.rates.split(",")] + [0.0]

    env = os.environ.copy() | {
        "ALLOWED_HOSTS": "*",
        "PREAU_DEMO": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PREAU_CHANNEL_PREFIX": f"preau-bench-{os.getpid()}",
    }
    env, drop = bench_database(env)
    try:
        from bench.ws_fanout import prepare_database

        token = prepare_database(env)
        port = _free_port()
        command = [sys.executable, "-m", "config.serve", "--port", str(port)]
        process = subprocess.Popen(
            [*command, "bench.ws_fanout:application"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
        )
        server = Server("Préau", process, port, token)
        try:
            _wait_port(port, process)
            asyncio.run(ready(server))
            database = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
            layer = "Redis" if env.get("REDIS_URL") else "mémoire"
            print(
                f"{database}, bus {layer}, {args.senders} émetteurs abonnés "
                f"({args.watched} chronométrés), "
                f"charge {os.getloadavg()[0]:.1f}"
            )
            results: dict[tuple[str, float], Run] = {}
            for rate in rates:
                for kind in ("ephemeral", "durable"):
                    results[(kind, rate)] = asyncio.run(
                        run(server, kind, args.senders, rate, seconds, args.watched)
                    )
                    print(results[(kind, rate)].line(), flush=True)
        finally:
            server.stop()
    finally:
        drop()

    print("\nDurable / éphémère, même charge, même serveur :")
    for rate in rates:
        durable, ephemeral = results[("durable", rate)], results[("ephemeral", rate)]
        target = f"{rate:.0f}/s" if rate else "max"
        print(
            f"  cible {target:>7} : débit {durable.rate / max(ephemeral.rate, 0.001):.2f}  "
            f"ack p99 {percentile(durable.acked, 0.99):.1f} ms contre "
            f"{percentile(ephemeral.acked, 0.99):.1f} ms  "
            f"CPU/évt {durable.cpu_ms / max(ephemeral.cpu_ms, 0.001):.2f}"
        )
    print(f"charge en fin de mesure {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
