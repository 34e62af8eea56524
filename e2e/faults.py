"""Fault injection into the in-process server: hold a step mid-flight, break the disk.

Patches go through pytest's monkeypatch, so every fault ends with the test.
"""

import asyncio
import errno
import functools
import os
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import fastapi.routing
import pytest

from e2e.live_server import LiveServer
from e2e.signals import Signal
from web.documents import ingest
from web.documents import repository as doc_repository
from web.documents import routes as document_routes
from web.storage import BlobStore
from web.streams.hub import StreamHub


class Hold:
    """One async step of the server, held at its start until the test releases it.

    Every call is held (several uploads at once, say) and one release lets them all go.
    """

    def __init__(self, what: str) -> None:
        self.reached = Signal(f"the server reaching {what}")
        self.finished = Signal(f"{what} finishing")
        self._released = threading.Event()
        self._gates: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []

    def wrap(self, step: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        @functools.wraps(step)
        async def held(*args: Any, **kwargs: Any) -> Any:
            try:
                gate = asyncio.Event()
                # Listed before the check: release() may come any time.
                self._gates.append((asyncio.get_running_loop(), gate))
                if not self._released.is_set():
                    self.reached.set()
                    await gate.wait()
                return await step(*args, **kwargs)
            finally:
                self.finished.set()

        return held

    def release(self) -> None:
        self._released.set()
        for loop, gate in list(self._gates):
            if not loop.is_closed():  # a gate of a server since restarted holds nothing
                loop.call_soon_threadsafe(gate.set)

    def expect_reached(self, times: int = 1) -> None:
        self.reached.expect(times)

    def expect_finished(self) -> None:
        """The step has returned or raised: whatever it cleans up is cleaned up."""
        self.finished.expect()


class ThreadHold:
    """A step the server runs in a worker thread, held from its `after`-th call on."""

    def __init__(self, what: str, after: int) -> None:
        self.reached = Signal(f"the server reaching {what}")
        self._after = after
        self._calls = 0
        self._released = threading.Event()

    def wrap(self, step: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(step)
        def held(*args: Any, **kwargs: Any) -> Any:
            self._calls += 1
            if self._calls > self._after and not self._released.is_set():
                self.reached.set()
                # Bounded, so a failed test can't leave the server's thread stuck.
                self._released.wait(THREAD_HOLD_TIMEOUT_S)
            return step(*args, **kwargs)

        return held

    def release(self) -> None:
        self._released.set()

    def expect_reached(self) -> None:
        self.reached.expect()


THREAD_HOLD_TIMEOUT_S = 30


class Faults:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, server: LiveServer) -> None:
        self.monkeypatch = monkeypatch
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

    def hold_indexing(self, after_batches: int = 1) -> ThreadHold:
        """Hold indexing (a worker thread) once this many batches of chunks are stored."""
        hold = ThreadHold("the next batch of chunks", after_batches)
        self.monkeypatch.setattr(doc_repository, "add_chunks", hold.wrap(doc_repository.add_chunks))
        self._undo.append(hold.release)
        return hold

    def database_read_only(self) -> None:
        """The server's database refuses writes: SQLite's own SQLITE_READONLY."""
        self.server.call(lambda ctx: ctx.db.run("PRAGMA query_only = ON"))
        self._undo.append(
            lambda: self.server.call(lambda ctx: ctx.db.run("PRAGMA query_only = OFF"))
        )

    def watch_uploads(self) -> Hold:
        """Say when the server is done with an upload, without holding it."""
        hold = self.hold_uploads()
        hold.release()
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

        self.monkeypatch.setattr(BlobStore, "put", refuse)

    def drop_event_streams(self) -> int:
        """Sever every open answer stream's connection, as a flaky network would.

        Returns how many were cut, so a test knows it really cut something.
        """

        def sever(_: object) -> int:
            cut = 0
            for connection in list(self.server.connections):
                path = (getattr(connection, "scope", None) or {}).get("path", "")
                if path.endswith("/events"):
                    connection.transport.abort()
                    cut += 1
            return cut

        return self.server.call(sever)

    def heartbeat_every(self, seconds: float) -> None:
        """Idle event streams send their keep-alive comment this often (FastAPI's knob)."""
        self.monkeypatch.setattr(fastapi.routing, "_PING_INTERVAL", seconds)

    def heal(self) -> None:
        """Undo every fault: the disk has space again, the server carries on."""
        self.monkeypatch.undo()
        while self._undo:
            self._undo.pop()()
