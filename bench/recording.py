"""What recording a class costs: a 3-person class, with and without its recording.

The room's SFU (`MediaRoom`, forwarding) runs in a child process with Django set up on a
scratch SQLite database, so that its recording sink is the real one (`recordings.live.
RoomRecorder`, registered by `RecordingsConfig.ready`): a segment is begun, written (voices
mixed, one picture, WebM encoded in its own thread), stored and settled as in production.
Three aiortc peers in this process each send a 640x360 30 fps camera and a tone and receive
the two others without decoding them (their cost is not the server's).

The server's CPU (from /proc, 100 % = one core) and resident memory are measured over
windows of the same length in the same process, alternately without and with a running
recording; prints each window, the medians, and the ratio with / without. The machine is
shared: the ratio, from windows taken side by side, is the figure to read.

    python -m bench.recording [--window 8] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.classroom_sfu import (  # noqa: E402
    HEIGHT,
    WIDTH,
    TcpSignalling,
    _free_port,
    cpu_seconds,
    serve,
)

PEOPLE = [(1, 60, 440.0), (2, 140, 660.0), (3, 200, 880.0)]


# -- the server process -----------------------------------------------------------------


def prepare(scratch: Path):
    """Django on a scratch database, with a session and its trainer (before any loop runs)."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SQLITE_PATH=str(scratch / "bench.sqlite3"),
        MEDIA_ROOT=str(scratch / "media"),
        PREAU_DEMO="0",
        REDIS_URL="",
        DATABASE_URL="",
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from tests import factories

    session = factories.session()
    return session, factories.member(session, "trainer").user


def recording_ops(room, session, trainer) -> dict:
    """The bench's "record" and "stop" operations, through the real recordings service."""
    from recordings import services
    from recordings.models import Recording

    sink = room.sinks[services.SINK]
    running: dict[str, int] = {}

    async def record(request: dict) -> int:
        recording = await asyncio.to_thread(
            lambda: services.begin_segment(actor=trainer, scope=session.scope, room_id=room.room_id)
        )
        running["id"] = recording.pk
        command = {"action": "start", "recording_id": recording.pk}
        sink.command(command | {"spool": recording.spool_path})
        return recording.pk

    async def stop(request: dict) -> dict:
        sink.command({"action": "stop", "recording_id": running["id"]})
        while True:
            recording = await Recording.objects.aget(pk=running["id"])
            if recording.state != Recording.State.RECORDING:
                fields = ("state", "seconds", "size")
                return {name: getattr(recording, name) for name in fields}
            await asyncio.sleep(0.2)

    return {"record": record, "stop": stop}


# -- the measuring side -----------------------------------------------------------------


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def measure(pid: int, window: float) -> dict:
    cpu, started = cpu_seconds(pid), time.monotonic()
    await asyncio.sleep(window)
    elapsed = time.monotonic() - started
    return {"cpu": (cpu_seconds(pid) - cpu) / elapsed * 100, "rss": rss_mib(pid)}


async def run(window: float, rounds: int, warmup: float) -> None:
    from tests.classrooms.peers import ClientPeer, wait_for

    port = _free_port()
    scratch = Path(tempfile.mkdtemp(prefix="preau-bench-recording-"))
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.recording", "--serve", str(port), "--scratch", str(scratch)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    clients: list[ClientPeer] = []
    try:
        assert server.stdout.readline().strip() == "ready"
        for user_id, luma, tone in PEOPLE:
            signalling = TcpSignalling(port, f"tab-{user_id}", user_id)
            client = ClientPeer(signalling, video=(WIDTH, HEIGHT, luma), tone=tone, decode=False)
            clients.append(client)
            await client.join()
        await wait_for(
            lambda: all(
                (found := c.from_user(other, "camera")) is not None and found.counter.frames > 0
                for c, (me, _l, _t) in zip(clients, PEOPLE, strict=True)
                for other, _luma, _tone in PEOPLE
                if other != me
            ),
            timeout=60,
        )
        control = clients[0].signalling
        print(f"recording a class of 3 at {WIDTH}x{HEIGHT} 30 fps + tone, {os.cpu_count()} cores")
        print(f"{'round':>5} {'recording':>9} {'server CPU %':>12} {'RSS MiB':>8}")
        rows: dict[bool, list[dict]] = {False: [], True: []}
        for index in range(rounds):
            await asyncio.sleep(warmup)
            rows[False].append(await measure(server.pid, window))
            await control.call("record")
            await asyncio.sleep(warmup)
            rows[True].append(await measure(server.pid, window))
            stored = await control.call("stop")
            for recording in (False, True):
                row = rows[recording][-1]
                print(
                    f"{index + 1:>5} {'yes' if recording else 'no':>9} "
                    f"{row['cpu']:>12.0f} {row['rss']:>8.0f}",
                    flush=True,
                )
            print(
                f"      segment {stored['state']}: {stored['seconds']:.1f} s, "
                f"{stored['size'] / 1024:.0f} KiB"
            )
        off = {k: statistics.median(r[k] for r in rows[False]) for k in ("cpu", "rss")}
        on = {k: statistics.median(r[k] for r in rows[True]) for k in ("cpu", "rss")}
        print(
            f"median: CPU {off['cpu']:.0f} % -> {on['cpu']:.0f} % "
            f"(x{on['cpu'] / off['cpu']:.2f}, +{on['cpu'] - off['cpu']:.0f} points of a core); "
            f"RSS {off['rss']:.0f} -> {on['rss']:.0f} MiB "
            f"(x{on['rss'] / off['rss']:.2f}, +{on['rss'] - off['rss']:.0f} MiB)"
        )
    finally:
        for client in reversed(clients):
            await client.close()
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(scratch, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--serve", type=int)
    parser.add_argument("--scratch", type=Path)
    args = parser.parse_args()
    if args.serve:
        session, trainer = prepare(args.scratch)
        ops = functools.partial(recording_ops, session=session, trainer=trainer)
        asyncio.run(serve(args.serve, transcode=False, extra_ops=ops))
        return
    asyncio.run(run(args.window, args.rounds, args.warmup))


if __name__ == "__main__":
    main()
