"""Live documents: one pycrdt document per doc id and process, kept equal across processes.

Each process that has editors of a document holds a `Room`: the document in memory (pycrdt),
the sockets editing it here, and the awareness states (cursors, names) it knows. An update a
writer sends is applied here once, sent to this process's other editors, relayed to the
other processes through the gateway (a server peer on the topic
`doc:<id>`, over Redis when configured: `realtime.attach`), and appended to the document's
log in the database, in batches. Edits travel merged and paced: while they keep coming, at
most one frame per `COLLAB_DOC_PACE` for every socket here, and one relay frame; an edit
after a quiet spell leaves in its own loop turn. The log is the authority: each room also
reads back, every `COLLAB_DOC_POLL` seconds, what the other processes appended (a relayed
frame the bus lost, an update written by a version restore), so rooms converge even when a
relay is missed; the rows it wrote itself are skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from django.conf import settings
from pycrdt import Doc, TransactionEvent, merge_updates

from realtime import attach, db

from . import documents, yprotocol

logger = logging.getLogger(__name__)

# This process's name as a server peer of every document it holds live.
PEER_NAME = "doc-" + secrets.token_hex(6)
# Frames waiting for one slow socket before it is closed (its editor reconnects and resyncs).
OUTBOX_FRAMES = 2000
CLOSE_BEHIND, CLOSE_WITHDRAWN = 4008, 4403


def _setting(name: str) -> float:
    return float(getattr(settings, name))


@dataclass(eq=False)
class Editor:
    """One socket editing a document."""

    id: str
    user_id: int
    writable: bool
    send: Callable[[bytes], Awaitable[None]]
    # Closes the socket with a close code (4403: access withdrawn; 4008: too far behind).
    close: Callable[[int], Awaitable[None]]
    outbox: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(OUTBOX_FRAMES))
    writer: asyncio.Task | None = None
    # Awareness client ids this socket announced (a tab has one; a test client may have more).
    clients: set[int] = field(default_factory=set)

    def push(self, frame: bytes | Update) -> None:
        try:
            self.outbox.put_nowait(frame)
        except asyncio.QueueFull:  # never hold the others up: this one resyncs on reconnect
            logger.warning("collab: editor %s is behind, closing its socket", self.id)
            asyncio.get_running_loop().create_task(self.close(CLOSE_BEHIND))

    async def drain(self) -> None:
        """Send what waits, in order; updates waiting side by side go as one merged update
        (a socket that fell behind catches up in fewer, larger frames)."""
        while True:
            batch = [await self.outbox.get()]
            while not self.outbox.empty():
                batch.append(self.outbox.get_nowait())
            for frame in _coalesce(batch):
                await self.send(frame)


class Update(bytes):
    """A Yjs update waiting for sockets; pushed as one object to every socket, its frame (a
    sync update message) is encoded once for all of them."""

    @functools.cached_property
    def frame(self) -> bytes:
        return yprotocol.update_message(self)


def _coalesce(batch: list[bytes]) -> list[bytes]:
    frames: list[bytes] = []
    run: list[Update] = []
    for item in [*batch, None]:
        if isinstance(item, Update):
            run.append(item)
            continue
        if run:
            frames.append(run[0].frame if len(run) == 1 else Update(merge_updates(*run)).frame)
            run = []
        if item is not None:
            frames.append(item)
    return frames


class Room:
    def __init__(self, document_id: int) -> None:
        self.document_id = document_id
        self.loop = asyncio.get_running_loop()
        self.topic = f"doc:{document_id}"
        self.doc = Doc()
        self.editors: dict[str, Editor] = {}
        self.awareness = yprotocol.AwarenessTable()
        self.pending: list[bytes] = []  # edits received here, for the log
        # Changes not yet sent to this process's editors (with the socket each came from),
        # and edits received here not yet relayed: sent together once per loop turn.
        self.fanout: list[tuple[bytes, Editor | None]] = []
        self.outgoing: list[bytes] = []
        self.relay_wake = asyncio.Event()
        self.pace = _setting("COLLAB_DOC_PACE")
        self.fanned_out_at = float("-inf")  # loop time of the last frame to the editors here
        self.seen = 0  # id of the last log row read from the database
        self.written: set[int] = set()  # log rows appended here and not read back yet
        self.appended = 0  # rows this room appended since it last compacted
        self.peer = None
        self.tasks: list[asyncio.Task] = []
        self._origin: Editor | None = None
        self._from_here = False
        self.doc.observe(self._changed)

    # -- life --------------------------------------------------------------------------

    async def start(self) -> None:
        state, self.seen = await db.run(documents.stored_state, self.document_id)
        self.doc.apply_update(state)
        self.peer = await attach(
            self.topic, PEER_NAME, types={"yjs.update", "yjs.awareness", "yjs.query"}
        )
        self.tasks = [
            asyncio.create_task(self._listen()),
            asyncio.create_task(self._persist_loop()),
            asyncio.create_task(self._relay_loop()),
        ]

    async def stop(self) -> None:
        """The last editor here left: write what is pending, leave the topic."""
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        try:
            await self._flush()
            # What this copy holds and the log lacks (an edit relayed by a process that
            # died before writing it) is written now, before the copy leaves memory.
            await db.run(documents.append_missing, self.document_id, self.doc)
        finally:
            if self.peer is not None:
                await self.peer.close()

    # -- editors -----------------------------------------------------------------------

    async def join(self, editor: Editor) -> None:
        self.editors[editor.id] = editor
        editor.writer = asyncio.create_task(editor.drain())
        editor.push(yprotocol.sync_step1(self.doc.get_state()))
        states = self.awareness.message()
        if states is not None:
            editor.push(states)
        # The other processes answer with their own editors' cursors and names.
        await self._relay("yjs.query", b"?")

    async def leave(self, editor: Editor) -> None:
        self.editors.pop(editor.id, None)
        if editor.writer is not None:
            editor.writer.cancel()
            await asyncio.gather(editor.writer, return_exceptions=True)
        gone = self.awareness.remove(editor.clients)
        if gone is not None:
            self._broadcast(gone, exclude=None)
            await self._relay("yjs.awareness", gone)

    async def receive(self, editor: Editor, message: bytes) -> None:
        """One y-protocols message from a socket (see `yprotocol.parse`)."""
        parsed = yprotocol.parse(message)
        if parsed is None:
            return
        kind, payload = parsed
        if kind == yprotocol.STEP1:
            editor.push(yprotocol.sync_step2(self.doc.get_update(payload)))
        elif kind in (yprotocol.STEP2, yprotocol.UPDATE):
            await self._client_update(editor, payload)
        elif kind == yprotocol.AWARENESS:
            changed = self.awareness.apply(payload, owner=editor.id)
            editor.clients.update(changed)
            self._broadcast(message, exclude=editor)
            await self._relay("yjs.awareness", message)
        elif kind == yprotocol.QUERY_AWARENESS:
            states = self.awareness.message()
            if states is not None:
                editor.push(states)

    async def _client_update(self, editor: Editor, update: bytes) -> None:
        if not editor.writable:
            # Refused, not applied: unless it brings nothing new (an idle reader's step 2).
            if yprotocol.brings_news(update, self.doc.get_state()):
                editor.push(yprotocol.permission_denied("lecture seule"))
            return
        self._origin, self._from_here = editor, True
        try:
            self.doc.apply_update(update)
        except Exception:  # a malformed update changes nothing and closes nothing
            logger.info("collab: malformed update from %s ignored", editor.id)
        finally:
            self._origin, self._from_here = None, False

    def _changed(self, event: TransactionEvent) -> None:
        """Whatever changed the document (a socket, another process, the log): tell the
        editors here; an edit received here is also relayed and queued for the log."""
        update = event.update
        if update == documents.EMPTY_UPDATE:
            return
        self.fanout.append((update, self._origin))
        if len(self.fanout) == 1:
            delay = self.fanned_out_at + self.pace - self.loop.time()
            if delay > 0:
                self.loop.call_later(delay, self._fan_out)
            else:
                self.loop.call_soon(self._fan_out)
        if self._from_here:
            self.pending.append(update)
            self.outgoing.append(update)
            self.relay_wake.set()

    def _fan_out(self) -> None:
        """The changes since the last frame, merged, as one frame for every editor here (one
        encoding per frame, not one per change and editor). An editor gets its own edit back
        only inside a merge of several people's (Yjs applies it as a no-op)."""
        self.fanned_out_at = self.loop.time()
        batch, self.fanout = self.fanout, []
        origins = {origin for _, origin in batch}
        update = batch[0][0] if len(batch) == 1 else merge_updates(*(u for u, _ in batch))
        self._broadcast(Update(update), exclude=origins.pop() if len(origins) == 1 else None)

    def _broadcast(self, frame: bytes | Update, *, exclude: Editor | None) -> None:
        for editor in list(self.editors.values()):
            if editor is not exclude:
                editor.push(frame)

    async def recheck(self, user_ids: set[int] | None = None) -> None:
        """Ask the policies again for these editors (all when None): a reader no more is
        closed, a writer who became a reader is refused from now on."""
        editors = [e for e in self.editors.values() if user_ids is None or e.user_id in user_ids]
        if not editors:
            return
        rights = await db.run(documents.rights_of, self.document_id, {e.user_id for e in editors})
        for editor in editors:
            read, write = rights.get(editor.user_id, (False, False))
            editor.writable = write
            if not read:
                await editor.close(CLOSE_WITHDRAWN)

    # -- other processes and the log ---------------------------------------------------

    async def _relay(self, event_type: str, body: bytes) -> None:
        try:
            await self.peer.send_bytes(event_type, body)
        except Exception:  # the log reaches the other processes anyway
            logger.warning("collab: relay of %s on %s failed", event_type, self.topic)

    async def _relay_loop(self) -> None:
        """Edits received here go to the other processes merged, one frame per wake and at
        most one per `pace` seconds."""
        while True:
            await self.relay_wake.wait()
            self.relay_wake.clear()
            batch, self.outgoing = self.outgoing, []
            if batch:
                await self._relay(
                    "yjs.update", merge_updates(*batch) if len(batch) > 1 else batch[0]
                )
                await asyncio.sleep(self.pace)

    async def _listen(self) -> None:
        async for frame in self.peer:
            if frame.sender == PEER_NAME or not isinstance(frame.data, bytes):
                continue
            if frame.type == "yjs.update":
                with contextlib.suppress(Exception):
                    self.doc.apply_update(frame.data)
            elif frame.type == "yjs.query":
                states = self.awareness.message(local_only=True)
                if states is not None:
                    await self._relay("yjs.awareness", states)
            else:
                self.awareness.apply(yprotocol.awareness_payload(frame.data), owner=None)
                self._broadcast(frame.data, exclude=None)

    async def _persist_loop(self) -> None:
        flush_every = _setting("COLLAB_DOC_FLUSH")
        poll_every = _setting("COLLAB_DOC_POLL")
        recheck_every = _setting("COLLAB_DOC_RECHECK")
        waited = rechecked = 0.0
        while True:
            await asyncio.sleep(flush_every)
            waited += flush_every
            rechecked += flush_every
            try:
                await self._flush()
                if waited >= poll_every:
                    waited = 0.0
                    await self._read_back()
                if rechecked >= recheck_every:
                    # Changes made in another process, or by time (a session's end).
                    rechecked = 0.0
                    await self.recheck()
            except Exception:  # the database away: keep the edits, try again
                logger.exception("collab: saving %s failed, retrying", self.topic)

    async def _flush(self) -> None:
        if not self.pending:
            return
        batch = list(self.pending)
        update = merge_updates(*batch) if len(batch) > 1 else batch[0]
        self.written.add(await db.run(documents.append_update, self.document_id, update))
        # Only once written: if the write failed the batch is tried again.
        del self.pending[: len(batch)]
        self.appended += 1
        if self.appended >= documents.COMPACT_AFTER:
            self.appended = 0
            await db.run(documents.compact, self.document_id)

    async def _read_back(self) -> None:
        """What other processes (or a version restore) appended: rows written here are
        skipped, the rest applied as one merged update."""
        snapshot, rows = await db.run(documents.updates_since, self.document_id, self.seen)
        found = ([snapshot] if snapshot else []) + [
            data for pk, data in rows if pk not in self.written
        ]
        if rows:
            self.seen = rows[-1][0]
            self.written = {pk for pk in self.written if pk > self.seen}
        if found:
            with contextlib.suppress(Exception):
                self.doc.apply_update(merge_updates(*found) if len(found) > 1 else found[0])


# One room per document and event loop (a process serves its sockets from one loop).
_rooms: dict[tuple[int, int], Room] = {}
_locks: dict[tuple[int, int], asyncio.Lock] = {}


async def enter(document_id: int, editor: Editor) -> Room:
    key = (id(asyncio.get_running_loop()), document_id)
    lock = _locks.setdefault(key, asyncio.Lock())
    async with lock:
        room = _rooms.get(key)
        if room is None:
            room = Room(document_id)
            await room.start()
            _rooms[key] = room
        await room.join(editor)
        return room


async def leave(room: Room, editor: Editor) -> None:
    key = (id(asyncio.get_running_loop()), room.document_id)
    lock = _locks.setdefault(key, asyncio.Lock())
    async with lock:
        await room.leave(editor)
        if not room.editors and _rooms.get(key) is room:
            del _rooms[key]
            await room.stop()


def live_rooms() -> list[Room]:
    return list(_rooms.values())


def on_access_changed(sender, session_id: int | None, user_ids: list[int] | None, **kw) -> None:
    """`parcours.signals.access_changed` in this process: ask again at once for the live
    rooms here (other processes find out at their next `COLLAB_DOC_RECHECK`)."""
    people = None if user_ids is None else set(user_ids)
    for room in list(_rooms.values()):
        try:
            room.loop.call_soon_threadsafe(lambda r=room: r.loop.create_task(r.recheck(people)))
        except RuntimeError:  # that loop has closed
            continue
