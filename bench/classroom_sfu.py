"""The classroom SFU under load: one presenter, N viewers, 640x360, on this machine.

The SFU runs in a child process (its CPU is measured there, from /proc) with the two ways
of moving the presenter's video to viewers, in the same run:
- `transcode`: aiortc's default, the baseline: each incoming track decoded once, then
  encoded again for every viewer;
- `forward`: Préau's SFU: the presenter's encoded frames forwarded as they are, with
  keyframe requests passed to the presenter when a viewer joins.
Viewers are aiortc peers in this process that count the frames they receive without
decoding them (their cost is not the server's); one more viewer decodes, to read the
frame number drawn in each picture and measure the delay from the presenter's encoder
input to the decoded picture.

Prints, per mode and N: server CPU % (100 % = one core), frames/s received per viewer
(min and mean), p50/p95 delay, the server's CPU milliseconds per video frame delivered to
a viewer, and from it the viewers one core serves at 30 fps; then the forward / transcode
ratio of viewers per core at each N. CPU per delivered frame stays meaningful when other
processes share the cores (the frame rate then drops, not the cost of a frame).
`--quick`: N = 5 and 10, shorter windows.

    python -m bench.classroom_sfu [--quick] [--viewers 5,10,20,30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WIDTH, HEIGHT = 640, 360
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# -- the SFU process ------------------------------------------------------------------------


async def serve(port: int, transcode: bool, extra_ops: Callable | None = None) -> None:
    """A `MediaRoom` behind a JSON-lines TCP socket: one connection per client peer.

    `extra_ops(room)` may add operations of its own (name -> async function of the request),
    as `bench/recording.py` does to start and stop a recording in the same room."""
    from classrooms.media.network import ice_configuration
    from classrooms.media.room import MediaRoom

    writers: dict[str, asyncio.StreamWriter] = {}

    async def send(peer: str, message: dict) -> None:
        writer = writers.get(peer)
        if writer is not None:
            writer.write((json.dumps(message) + "\n").encode())

    room = MediaRoom(1, send=send, configuration=ice_configuration([]), transcode=transcode)
    extra = extra_ops(room) if extra_ops is not None else {}

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = None
        try:
            while line := await reader.readline():
                request = json.loads(line)
                peer = request["peer"]
                writers[peer] = writer
                result = None
                if request["op"] == "join":
                    await room.join(peer, request["user_id"])
                elif request["op"] == "publish":
                    result = await room.publish(peer, request["sdp"], request["sources"])
                elif request["op"] == "answer":
                    await room.answer(peer, request["sdp"])
                elif request["op"] in extra:
                    result = await extra[request["op"]](request)
                writer.write(
                    (json.dumps({"reply": request["id"], "result": result}) + "\n").encode()
                )
        finally:
            if peer is not None:
                writers.pop(peer, None)
                await room.leave(peer)

    server = await asyncio.start_server(client, "127.0.0.1", port)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


# -- the clients ----------------------------------------------------------------------------


class TcpSignalling:
    """`tests.classrooms.peers.Signalling` over the bench's JSON-lines socket."""

    def __init__(self, port: int, peer: str, user_id: int) -> None:
        self.port, self.peer, self.user_id = port, peer, user_id
        self.replies: dict[int, asyncio.Future] = {}
        self.handling: set[asyncio.Future] = set()
        self.next_id = 0

    async def _call(self, op: str, **fields):
        self.next_id += 1
        future = self.replies[self.next_id] = asyncio.get_running_loop().create_future()
        request = {"op": op, "id": self.next_id, "peer": self.peer, **fields}
        self.writer.write((json.dumps(request) + "\n").encode())
        return await future

    async def _read(self, on_message) -> None:
        while line := await self.reader.readline():
            message = json.loads(line)
            if "reply" in message:
                self.replies.pop(message["reply"]).set_result(message["result"])
            else:
                self.handling.add(task := asyncio.ensure_future(on_message(message)))
                task.add_done_callback(self.handling.discard)

    async def join(self, on_message) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.task = asyncio.ensure_future(self._read(on_message))
        await self._call("join", user_id=self.user_id)

    async def publish(self, sdp: str, sources: dict[str, str]) -> str:
        return await self._call("publish", sdp=sdp, sources=sources)

    async def answer(self, sdp: str) -> None:
        await self._call("answer", sdp=sdp)

    async def call(self, op: str, **fields):
        """An operation of the bench's server beyond signalling (see `serve`'s `extra_ops`)."""
        return await self._call(op, **fields)

    async def leave(self) -> None:
        self.task.cancel()
        self.writer.close()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


async def run_case(mode: str, viewers: int, warmup: float, window: float) -> dict:
    from tests.classrooms.peers import ClientPeer, wait_for

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.classroom_sfu", "--serve", str(port), "--mode", mode],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    clients: list[ClientPeer] = []
    try:
        assert server.stdout.readline().strip() == "ready"
        presenter = ClientPeer(
            TcpSignalling(port, "presenter", 1), video=(WIDTH, HEIGHT, 90), tone=440, stamp=True
        )
        clients.append(presenter)
        await presenter.join()
        for index in range(viewers):
            viewer = ClientPeer(TcpSignalling(port, f"v{index}", 100 + index), decode=False)
            clients.append(viewer)
            await viewer.join()
        probe = ClientPeer(TcpSignalling(port, "probe", 99))
        clients.append(probe)
        await probe.join()

        def video_of(client):
            return client.from_user(1, "camera")

        await wait_for(
            lambda: all(
                (found := video_of(c)) is not None
                and (found.counter.frames if found.counter else found.frames) > 0
                for c in clients[1:]
            ),
            timeout=60,
        )
        await asyncio.sleep(warmup)
        counts = [video_of(c).counter.frames for c in clients[1:-1]]
        cpu, started = cpu_seconds(server.pid), time.monotonic()
        stamps_before = len(video_of(probe).stamps)
        await asyncio.sleep(window)
        elapsed = time.monotonic() - started
        cpu_share = (cpu_seconds(server.pid) - cpu) / elapsed
        received = [
            video_of(c).counter.frames - before
            for c, before in zip(clients[1:-1], counts, strict=True)
        ]
        rates = [frames / elapsed for frames in received]
        delays = [
            at - presenter.video.sent_at[number]
            for number, at in video_of(probe).stamps[stamps_before:]
            if number in presenter.video.sent_at
        ]
        return {
            "mode": mode,
            "viewers": viewers,
            "cpu": cpu_share * 100,
            # Server CPU per video frame delivered to a viewer: what a viewer costs, however
            # busy the machine is (other processes may leave the server less than it needs).
            "ms_per_frame": cpu_share * elapsed * 1000 / max(sum(received), 1),
            "fps_min": min(rates),
            "fps_mean": statistics.mean(rates),
            "delay_p50": _percentile(delays, 50),
            "delay_p95": _percentile(delays, 95),
        }
    finally:
        for client in reversed(clients):
            await client.close()
        server.terminate()
        server.wait(timeout=20)


def _percentile(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] * 1000


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def viewers_per_core(row: dict) -> float:
    """Viewers one core could serve at 30 fps, from the CPU each delivered frame cost."""
    return 1000 / (row["ms_per_frame"] * 30)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--viewers", default="")
    parser.add_argument("--modes", default="transcode,forward")
    parser.add_argument("--serve", type=int)
    parser.add_argument("--mode", default="forward")
    args = parser.parse_args()
    if args.serve:
        await serve(args.serve, transcode=args.mode == "transcode")
        return
    sizes = [int(n) for n in args.viewers.split(",") if n] or (
        [5, 10] if args.quick else [5, 10, 20]
    )
    warmup, window = (2.0, 4.0) if args.quick else (3.0, 8.0)
    rows = []
    print(f"classroom SFU, 1 presenter at {WIDTH}x{HEIGHT} 30 fps + tone, {os.cpu_count()} cores")
    print(
        f"{'mode':>10} {'N':>3} {'server CPU %':>12} {'fps min':>8} {'fps mean':>8} "
        f"{'delay p50 ms':>12} {'p95 ms':>7} {'CPU ms/frame':>12} {'viewers/core':>12}"
    )
    for mode in args.modes.split(","):
        for n in sizes:
            row = await run_case(mode, n, warmup, window)
            rows.append(row)
            print(
                f"{mode:>10} {n:>3} {row['cpu']:>12.0f} {row['fps_min']:>8.1f} "
                f"{row['fps_mean']:>8.1f} {row['delay_p50']:>12.0f} {row['delay_p95']:>7.0f} "
                f"{row['ms_per_frame']:>12.2f} {viewers_per_core(row):>12.1f}",
                flush=True,
            )
    by_mode = {mode: [r for r in rows if r["mode"] == mode] for mode in ("transcode", "forward")}
    if by_mode["transcode"] and by_mode["forward"]:
        for before, after in zip(by_mode["transcode"], by_mode["forward"], strict=False):
            print(
                f"N={before['viewers']}: viewers per core forward / transcode = "
                f"{viewers_per_core(after):.1f} / {viewers_per_core(before):.1f} = "
                f"{viewers_per_core(after) / viewers_per_core(before):.1f}x"
            )


if __name__ == "__main__":
    asyncio.run(main())
