"""Fault injection into the in-process server: hold a step mid-flight, break the disk.

Faults strike at the app's named fault points (`web/fault_points.py`), armed by name: no
private name of the app is patched from here. Healing (at the latest when the test
ends) disarms them, and undoes the few patches of the standard library's and of
settings made here, and nothing else a test patched.
"""

import errno
import os
import signal
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from e2e.harness.holds import Hold, Signal
from e2e.harness.server.live_server import LiveServer
from web import fault_points
from web.storage import BlobStore, SqliteDatabase
from web.streams.events import Event, Log
from web.streams.hub import StreamHub

Step = Callable[..., Any]


class Faults:
    def __init__(self, server: LiveServer) -> None:
        self.monkeypatch = pytest.MonkeyPatch()
        self.server = server
        self._undo: list[Callable[[], object]] = []

    def _arm(self, point: str, change: Callable[[Step], Step]) -> None:
        fault_points.arm(point, change)
        self._undo.append(lambda: fault_points.disarm(point))

    def _hold(self, point: str) -> Hold:
        """Hold each call at `point` (a coroutine the server awaits) until released."""
        hold = Hold(f"the fault point {point}")
        self._arm(point, hold.wrap)
        return hold

    def hold_uploads(self) -> Hold:
        """Hold each upload before the server reads a byte of its body."""
        return self._hold("upload.receiving")

    def hold_processing(self) -> Hold:
        """Hold each stored document before its text is extracted."""
        return self._hold("document.processing")

    def hold_storing(self) -> Hold:
        """Hold each upload once received and found new, before its blob and row are stored."""
        return self._hold("document.storing")

    def hold_laying_out(self) -> Hold:
        """Hold each answer as it ends, before its text is laid out as HTML: its job
        waiting, all its text stored, its ending not yet."""
        return self._hold("answer.laying_out")

    def hold_answers_starting(self) -> Hold:
        """Hold each answer about to be stored (sent, retried or continued), its server's
        event loop waiting: the request checked, nothing of its answer written yet."""
        points = ("answer.adding", "answer.replacing", "answer.reopening")
        return self._hold_in_thread("an answer starting", *points)

    def hold_document_rows(self) -> Hold:
        """Hold each new document as its row is about to be stored (the upload received and
        on disk), its server's event loop waiting."""
        return self._hold_in_thread("a document's row", "document.row")

    def hold_indexing(self, after_batches: int = 1) -> Hold:
        """Hold indexing (a worker thread) once this many batches of chunks are stored."""
        return self._hold_in_thread(
            "the next batch of chunks", "document.chunks", after=after_batches
        )

    def _hold_in_thread(self, what: str, *points: str, after: int = 0) -> Hold:
        """Hold each call at `points` (functions a thread runs, not awaited) from the
        `after`-th on, until released; released at the latest when healed."""
        hold = Hold(what)
        for point in points:
            self._arm(point, lambda step: hold.wrap_in_thread(step, after=after))
        self._undo.append(hold.release)
        return hold

    def database_read_only(self) -> None:
        """The database refuses writes: SQLite's own SQLITE_READONLY."""
        self._every_connection("PRAGMA query_only = ON", healed_by="PRAGMA query_only = OFF")

    def database_full(self) -> None:
        """The database may not grow by a single page: SQLite's own SQLITE_FULL, as on a
        full disk. (A page count can't be set below the file's size; it stops there.)"""
        self._every_connection(
            "PRAGMA max_page_count = 1", healed_by="PRAGMA max_page_count = 1073741823"
        )

    def database_locked(self) -> None:
        """Another program holds the database's write lock (a backup tool, a sqlite3 shell),
        and the server gives up at once rather than after its usual 5 s wait."""
        holder = sqlite3.connect(self.server.settings.data_dir / "docchat.sqlite3")
        holder.execute("BEGIN IMMEDIATE")
        self._every_connection("PRAGMA busy_timeout = 0", healed_by="PRAGMA busy_timeout = 5000")
        self._undo.append(holder.close)

    def answer_text_cannot_be_stored(self, after: int = 0) -> None:
        """The disk fills while an answer is written: its tokens (the many rows) are refused
        with SQLite's SQLITE_FULL once `after` writes of them went in, while its ending
        (one small row) still fits."""
        stored = 0

        def full_for_tokens(append_many: Step) -> Step:
            def appending(log: Log, conn: Any, key: str, type_: str, data: list[Any]) -> int:
                nonlocal stored
                if type_ != "token" or stored < after:
                    stored += type_ == "token"
                    return append_many(log, conn, key, type_, data)
                refused = sqlite3.OperationalError("database or disk is full")
                refused.sqlite_errorcode = sqlite3.SQLITE_FULL
                refused.sqlite_errorname = "SQLITE_FULL"
                raise refused

            return appending

        self._arm("events.appending", full_for_tokens)

    def _every_connection(self, pragma: str, healed_by: str) -> None:
        """The server's connection and every one opened from now on (indexing threads')."""
        self.server.call_on_loop(lambda ctx: ctx.db.run(pragma))
        self._undo.append(lambda: self.server.call_on_loop(lambda ctx: ctx.db.run(healed_by)))

        def with_fault(connect: Step) -> Step:
            def connecting(db: SqliteDatabase, *args: Any, **kwargs: Any) -> None:
                connect(db, *args, **kwargs)
                db.run(pragma)

            return connecting

        self._arm("database.connecting", with_fault)

    def new_chats_crash(self) -> None:
        """Creating a chat fails in a way nobody planned for: uvicorn answers 500 in plain
        text, not DocChat's JSON, as it would for any bug."""
        self._crash("chat.creating")

    def pages_fail_to_render(self) -> None:
        """Rendering any HTML fails as above: whole pages, and the parts a page fetches (a
        finished answer, an uploaded document's row)."""
        self._crash("page.rendering")

    def _crash(self, point: str) -> None:
        def crash(*_: Any, **__: Any) -> Any:
            raise RuntimeError(f"fault injected at {point}")

        self._arm(point, lambda _: crash)

    def kill_extraction(self) -> None:
        """Each file's parser process is killed (SIGKILL) before it says a word, as the
        kernel's out-of-memory killer would kill it. It kills itself first thing: a kill
        sent from here could come after a small file's pages were already sent."""

        def killed_at_once(child: Step) -> Step:
            return lambda *_: child(signal.raise_signal, (signal.SIGKILL,))

        self._arm("isolated.child", killed_at_once)

    def watch_uploads(self) -> Hold:
        """Say when the server is done with an upload, without holding it."""
        hold = self.hold_uploads()
        hold.release()
        return hold

    def delay_live_events(self) -> Hold:
        """Workspace events reach no tab until released, as if late on the network: each
        tab acts on what it last heard. Streams opened from now on are the ones delayed."""
        hold = Hold("a workspace event on its way to a tab")

        @hold.wrap
        async def deliver(batch: list[Event]) -> list[Event]:
            return batch

        def delayed(follow: Step) -> Step:
            async def following(hub: StreamHub, *args: Any) -> AsyncIterator[list[Event]]:
                async for batch in follow(hub, *args):
                    yield await deliver(batch)

            return following

        self._arm("workspace.following", delayed)
        return hold

    def watch_stream_ends(self) -> Signal:
        """Say each time the server lets go of an event stream (and its workspace's slot)."""
        ended = Signal("an event stream ending on the server")

        def noting(subscriber: Step) -> Step:
            @contextmanager
            def subscribed(hub: StreamHub) -> Iterator[None]:
                try:
                    with subscriber(hub):
                        yield
                finally:
                    ended.set()

            return subscribed

        self._arm("stream.subscribing", noting)
        return ended

    def watch_answer_streams_ending(self) -> Signal:
        """Say each time an answer's event stream lets go of its workspace's slot (not a
        live tab's stream, nor one refused)."""
        ended = Signal("an answer stream letting go of its workspace's slot")
        streams = self.server.call_on_loop(lambda ctx: ctx.streams)

        def noting(hold: Step) -> Step:
            @contextmanager
            def holding(slots: object, workspace: str) -> Iterator[None]:
                with hold(slots, workspace):
                    try:
                        yield
                    finally:
                        if slots is streams:
                            ended.set()

            return holding

        self._arm("slots.holding", noting)
        return ended

    def watch_leases_kept(self, server: LiveServer) -> Signal:
        """Say each time `server` has renewed its lease and ended the work of processes
        whose lease ran out (every third of `lease_s`)."""
        kept = Signal("the process renewing its lease and sweeping the others' work")
        its_context = server.call_on_loop(lambda ctx: ctx)

        def noting(keep: Step) -> Step:
            async def keeping(ctx: object) -> None:
                await keep(ctx)
                if ctx is its_context:
                    kept.set()

            return keeping

        self._arm("lease.keeping", noting)
        return kept

    def watch_streamed_bodies(self) -> Signal:
        """Say each time the server is done reading a request body sent without a length."""
        done = Signal("a chunked request body read to its end (or its client gone)")

        def noting(read_chunked: Step) -> Step:
            async def reading(middleware: object, receive: Any) -> Any:
                try:
                    return await read_chunked(middleware, receive)
                finally:
                    done.set()

            return reading

        self._arm("body.reading_chunked", noting)
        return done

    def watch_temp_files(self) -> Signal:
        """Say when the server opens a temp file for an upload's bytes."""
        opened = Signal("a temp file for the upload")

        def noting(new_temp_file: Step) -> Step:
            def opening(store: BlobStore) -> tuple[int, Any]:
                result = new_temp_file(store)
                opened.set()
                return result

            return opening

        self._arm("blob.temp_file", noting)
        return opened

    def watch_fsyncs(self) -> list[Path]:
        """Every file and folder the server syncs to disk, as it syncs them."""
        synced: list[Path] = []
        fsync = os.fsync

        def noting(fd: int) -> None:
            synced.append(Path(os.readlink(f"/proc/self/fd/{fd}")))
            fsync(fd)

        self.monkeypatch.setattr(os, "fsync", noting)
        return synced

    def disk_full(self) -> None:
        """Uploads are written to /dev/full: the kernel itself answers ENOSPC."""

        def on_full_disk(new_temp_file: Step) -> Step:
            def opening(store: BlobStore) -> tuple[int, Any]:
                fd, path = new_temp_file(store)
                full = os.open("/dev/full", os.O_WRONLY)
                os.dup2(full, fd)
                os.close(full)
                return fd, path

            return opening

        self._arm("blob.temp_file", on_full_disk)

    def blob_writes_fail(self, code: int = errno.EACCES) -> None:
        """Moving a finished upload into the blob store fails with this errno."""

        def refuse(*_: Any) -> None:
            raise OSError(code, os.strerror(code))

        self._arm("blob.placing", lambda _: refuse)

    def drop_event_streams(self) -> int:
        """Sever every open answer stream's connection, as a flaky network would (pages'
        workspace streams are left alone).

        Returns how many were cut, so a test knows it really cut something.
        """

        def sever(_: object) -> int:
            cut = 0
            for connection in list(self.server.connections):
                path = (getattr(connection, "scope", None) or {}).get("path", "")
                if path.startswith("/api/messages/") and path.endswith("/events"):
                    connection.transport.abort()
                    cut += 1
            return cut

        return self.server.call_on_loop(sever)

    def heartbeat_every(self, seconds: float) -> None:
        """Idle event streams send their keep-alive comment this often."""
        self.monkeypatch.setattr("web.streams.hub.KEEPALIVE_S", seconds)

    def heal(self) -> None:
        """Undo every fault: the disk has space again, the server carries on."""
        self.monkeypatch.undo()
        while self._undo:
            self._undo.pop()()
