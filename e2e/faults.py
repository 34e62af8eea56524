"""Fault injection into the in-process server: hold a step mid-flight, break the disk.

Patches go through a pytest MonkeyPatch of the faults' own: healing (at the latest when
the test ends) undoes the faults, and nothing else a test patched.
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

from e2e.live_server import LiveServer
from e2e.signals import Hold, Signal
from web import isolation, views
from web.chat import answer_log
from web.chat import repository as chat_repository
from web.documents import ingest
from web.documents import repository as doc_repository
from web.documents import routes as document_routes
from web.limits import BodyLimitMiddleware
from web.storage import BlobStore, SqliteDatabase
from web.streams.events import Event, Log
from web.streams.hub import StreamHub


class Faults:
    def __init__(self, server: LiveServer) -> None:
        self.monkeypatch = pytest.MonkeyPatch()
        self.server = server
        self._undo: list[Callable[[], None]] = []

    def hold(self, module: object, name: str) -> Hold:
        """Hold `module.name` (an async function the server calls) until released."""
        hold = Hold(f"{getattr(module, '__name__', module)}.{name}")
        self.monkeypatch.setattr(module, name, hold.wrap(getattr(module, name)))
        return hold

    def hold_uploads(self) -> Hold:
        """Hold each upload before the server reads a byte of its body."""
        return self.hold(document_routes, "receive_file")

    def hold_processing(self) -> Hold:
        """Hold each stored document before its text is extracted."""
        return self.hold(ingest, "_process")

    def hold_storing(self) -> Hold:
        """Hold each upload once received and found new, before its blob and row are stored."""
        return self.hold(ingest, "_store")

    def hold_laying_out(self) -> Hold:
        """Hold each answer as it ends, before its text is laid out as HTML: its job
        waiting, all its text stored, its ending not yet."""
        return self.hold(answer_log, "rendered")

    def hold_answers_starting(self) -> Hold:
        """Hold each answer about to be stored (sent, retried or continued), its server's
        event loop waiting: the request checked, nothing of its answer written yet."""
        hold = Hold("an answer starting")
        for name in ("add_exchange", "replace_answer", "reopen_answer"):
            starting = hold.wrap_in_thread(getattr(chat_repository, name))
            self.monkeypatch.setattr(chat_repository, name, starting)
        self._undo.append(hold.release)
        return hold

    def hold_document_rows(self) -> Hold:
        """Hold each new document as its row is about to be stored (the upload received and
        on disk), its server's event loop waiting."""
        hold = Hold("a document's row")
        storing = hold.wrap_in_thread(doc_repository.insert)
        self.monkeypatch.setattr(doc_repository, "insert", storing)
        self._undo.append(hold.release)
        return hold

    def hold_indexing(self, after_batches: int = 1) -> Hold:
        """Hold indexing (a worker thread) once this many batches of chunks are stored."""
        hold = Hold("the next batch of chunks")
        held = hold.wrap_in_thread(doc_repository.add_chunks, after=after_batches)
        self.monkeypatch.setattr(doc_repository, "add_chunks", held)
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

    def answer_text_cannot_be_stored(self) -> None:
        """The disk fills while an answer is written: its tokens (the many rows) are refused
        with SQLite's SQLITE_FULL, while its ending (one small row) still fits."""

        append_many = Log.append_many

        def full_for_tokens(log: Log, conn: Any, key: str, type_: str, data: list[Any]) -> int:
            if type_ != "token":
                return append_many(log, conn, key, type_, data)
            refused = sqlite3.OperationalError("database or disk is full")
            refused.sqlite_errorcode, refused.sqlite_errorname = sqlite3.SQLITE_FULL, "SQLITE_FULL"
            raise refused

        self.monkeypatch.setattr(Log, "append_many", full_for_tokens)

    def _every_connection(self, pragma: str, healed_by: str) -> None:
        """The server's connection and every one opened from now on (indexing threads')."""
        self.server.call_on_loop(lambda ctx: ctx.db.run(pragma))
        self._undo.append(lambda: self.server.call_on_loop(lambda ctx: ctx.db.run(healed_by)))
        connect = SqliteDatabase.__init__

        def connect_with_fault(db: SqliteDatabase, *args: Any, **kwargs: Any) -> None:
            connect(db, *args, **kwargs)
            db.run(pragma)

        self.monkeypatch.setattr(SqliteDatabase, "__init__", connect_with_fault)

    def new_chats_crash(self) -> None:
        """Creating a chat fails in a way nobody planned for: uvicorn answers 500 in plain
        text, not DocChat's JSON, as it would for any bug."""
        self._crash(chat_repository, "create_session")

    def pages_fail_to_render(self) -> None:
        """Rendering any HTML fails as above: whole pages, and the parts a page fetches (a
        finished answer, an uploaded document's row)."""
        self._crash(views.templates, "TemplateResponse")

    def _crash(self, module: object, name: str) -> None:
        def crash(*_: Any, **__: Any) -> Any:
            raise RuntimeError(f"fault injected into {name}")

        self.monkeypatch.setattr(module, name, crash)

    def kill_extraction(self) -> None:
        """Each file's parser process is killed (SIGKILL) before it says a word, as the
        kernel's out-of-memory killer would kill it. It kills itself first thing: a kill
        sent from here could come after a small file's pages were already sent."""
        process = isolation._CONTEXT.Process

        def killed_at_once(**kwargs: Any) -> Any:
            return process(
                target=signal.raise_signal, args=(signal.SIGKILL,), daemon=kwargs["daemon"]
            )

        self.monkeypatch.setattr(isolation._CONTEXT, "Process", killed_at_once)

    def watch_uploads(self) -> Hold:
        """Say when the server is done with an upload, without holding it."""
        hold = self.hold_uploads()
        hold.release()
        return hold

    def delay_live_events(self) -> Hold:
        """Workspace events reach no tab until released, as if late on the network: each
        tab acts on what it last heard. Streams opened from now on are the ones delayed."""
        hold = Hold("a workspace event on its way to a tab")
        follow = StreamHub.follow_workspace

        @hold.wrap
        async def deliver(batch: list[Event]) -> list[Event]:
            return batch

        async def delayed(hub: StreamHub, *args: Any) -> AsyncIterator[list[Event]]:
            async for batch in follow(hub, *args):
                yield await deliver(batch)

        self.monkeypatch.setattr(StreamHub, "follow_workspace", delayed)
        return hold

    def watch_stream_ends(self) -> Signal:
        """Say each time the server lets go of an event stream (and its workspace's slot)."""
        ended = Signal("an event stream ending on the server")
        subscriber = StreamHub.subscriber

        @contextmanager
        def noting(hub: StreamHub) -> Iterator[None]:
            try:
                with subscriber(hub):
                    yield
            finally:
                ended.set()

        self.monkeypatch.setattr(StreamHub, "subscriber", noting)
        return ended

    def watch_answer_streams_ending(self) -> Signal:
        """Say each time an answer's event stream lets go of its workspace's slot (not a
        live tab's stream, nor one refused)."""
        ended = Signal("an answer stream letting go of its workspace's slot")
        streams = self.server.call_on_loop(lambda ctx: ctx.streams)
        hold = streams.hold

        @contextmanager
        def noting(workspace: str) -> Iterator[None]:
            with hold(workspace):
                try:
                    yield
                finally:
                    ended.set()

        self.monkeypatch.setattr(streams, "hold", noting)
        return ended

    def watch_streamed_bodies(self) -> Signal:
        """Say each time the server is done reading a request body sent without a length."""
        done = Signal("a chunked request body read to its end (or its client gone)")
        read_chunked = BodyLimitMiddleware._read_chunked

        async def noting(middleware: BodyLimitMiddleware, receive: Any) -> Any:
            try:
                return await read_chunked(middleware, receive)
            finally:
                done.set()

        self.monkeypatch.setattr(BodyLimitMiddleware, "_read_chunked", noting)
        return done

    def watch_temp_files(self) -> Signal:
        """Say when the server opens a temp file for an upload's bytes."""
        opened = Signal("a temp file for the upload")
        new_temp_file = BlobStore.new_temp_file

        def noting(store: BlobStore) -> tuple[int, Any]:
            result = new_temp_file(store)
            opened.set()
            return result

        self.monkeypatch.setattr(BlobStore, "new_temp_file", noting)
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
        new_temp_file = BlobStore.new_temp_file

        def on_full_disk(store: BlobStore) -> tuple[int, Any]:
            fd, path = new_temp_file(store)
            full = os.open("/dev/full", os.O_WRONLY)
            os.dup2(full, fd)
            os.close(full)
            return fd, path

        self.monkeypatch.setattr(BlobStore, "new_temp_file", on_full_disk)

    def blob_writes_fail(self, code: int = errno.EACCES) -> None:
        """Moving a finished upload into the blob store fails with this errno."""

        def refuse(store: BlobStore, *_: Any) -> None:
            raise OSError(code, os.strerror(code))

        self.monkeypatch.setattr(BlobStore, "place", refuse)

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
