"""What a socket is sent in one loop turn leaves in one write, in order, before any close."""

import asyncio

from config.sockets import Corked


class Wire(asyncio.Transport):
    """A transport that records each write, as the kernel would see its system calls."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False
        self.aborted = False

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed or self.aborted

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True

    def get_write_buffer_size(self) -> int:
        return 0


async def _next_turn() -> None:
    await asyncio.sleep(0)


async def test_frames_of_one_turn_leave_in_one_write_in_their_order():
    wire = Wire()
    corked = Corked(wire, asyncio.get_running_loop())
    for frame in (b"un", b"deux", b"trois"):
        corked.write(frame)
    assert wire.writes == []  # nothing before the turn ends
    assert corked.get_write_buffer_size() == len(b"undeuxtrois")
    await _next_turn()
    assert wire.writes == [b"undeuxtrois"]
    corked.write(b"quatre")
    await _next_turn()
    assert wire.writes == [b"undeuxtrois", b"quatre"]


async def test_closing_sends_what_waits_first_and_nothing_after():
    wire = Wire()
    corked = Corked(wire, asyncio.get_running_loop())
    corked.write(b"dernier message")
    corked.write(b"trame de fermeture")
    corked.close()
    assert wire.writes == [b"dernier messagetrame de fermeture"] and wire.closed
    corked.write(b"trop tard")
    await _next_turn()
    assert wire.writes == [b"dernier messagetrame de fermeture"]


async def test_an_aborted_socket_drops_what_waits():
    wire = Wire()
    corked = Corked(wire, asyncio.get_running_loop())
    corked.write(b"perdu")
    corked.abort()
    await _next_turn()
    assert wire.writes == [] and wire.aborted


async def test_the_rest_is_the_transport_s_own():
    wire = Wire()
    corked = Corked(wire, asyncio.get_running_loop())
    assert corked.is_closing() is False
    wire.closed = True
    assert corked.is_closing() is True


def test_a_text_is_framed_once_for_every_socket_it_goes_to():
    from websockets.frames import Frame, Opcode
    from websockets.streams import StreamReader

    from config.sockets import framed

    text = '{"topic":"forum:1","type":"forum.post_created","data":{"titre":"Été"}}'
    wire = framed(text)
    assert framed(text) is wire  # the next socket of the fan-out: the same bytes
    reader = StreamReader()
    reader.feed_data(wire)
    parser = Frame.parse(reader.read_exact, mask=False)
    try:
        next(parser)
    except StopIteration as done:
        frame = done.value
    assert frame.opcode is Opcode.TEXT and frame.fin
    assert frame.data.decode() == text
    # Another text, even equal to an earlier one, is framed anew, never mixed up.
    other = "".join(["x"] * 200)
    assert framed(other) != wire and framed(other).endswith(other.encode())
