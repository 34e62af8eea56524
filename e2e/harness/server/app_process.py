"""The app as `python -m web` in a process of its own, so a test can kill it hard (and a
benchmark can measure it as users run it, with its stand-in servers beside it).

An in-process server can only be stopped politely. Crash-safety tests need the real
thing: SIGKILL, mid-write, then a fresh start on the same data dir and port. While the
suite measures coverage, it runs as measured_app.py, which saves its coverage data when
asked, just before each kill.
"""

import contextlib
import json
import logging
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
from collections import deque
from pathlib import Path
from typing import Any

from e2e.harness.holds import Signal
from e2e.harness.server import measured_app
from e2e.harness.server.stored import MESSAGE, stored_message
from web.storage import BlobStore

STARTED = re.compile(r"Uvicorn running on http://[\d.]+:(\d+)")
READY = "DocChat ready"  # each of its processes, once it serves
LAST_LINES = 10  # of its output, said when it exits at start
# A fresh interpreter importing the app: ~2 s on an idle machine, 10 s and more on a
# crowded one (scripts/test-under-load). Only the start waits this long, not the tests.
STARTUP_TIMEOUT_S = 30
# Its output goes to this test's log, and so into server.log when the test fails.
log = logging.getLogger("app-process")


class AppProcess:
    def __init__(
        self, data_dir: Path, settings: dict[str, str], *, measured: bool, module: str = "web"
    ) -> None:
        """`module`: what to run with `python -m`; a benchmark's other servers run this way."""
        self.data_dir = data_dir
        self.module = module
        self.settings = settings  # DOCCHAT_* values, without the prefix
        self.measured = measured  # coverage is on: save its data before each kill
        self.port = 0  # the first start picks one; restarts keep it
        self._process: subprocess.Popen[str] | None = None
        self._saved = Signal("the app process saving its coverage data")  # anew each start
        self.ready_processes = 0
        self._ready = threading.Condition()
        self._listening = False
        self._last_lines: deque[str] = deque(maxlen=LAST_LINES)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def process(self) -> subprocess.Popen[str]:
        assert self._process is not None, "the app process was never started"
        return self._process

    def start(self) -> None:
        started = Signal("the app process listening")
        self._saved = Signal("the app process saving its coverage data")
        self.ready_processes = 0
        self._listening = False
        self._last_lines.clear()
        module = "e2e.harness.server.measured_app" if self.measured else self.module
        self._process = subprocess.Popen(
            [sys.executable, "-m", module],
            env=self._environment(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # a group of its own: its workers go with it
        )
        threading.Thread(target=self._relay, args=(self._process, started), daemon=True).start()
        started.expect(timeout_s=STARTUP_TIMEOUT_S)
        if not self._listening:  # its output ended: it is exiting, and may not have yet
            self._process.wait(timeout=STARTUP_TIMEOUT_S)
        last_words = "\n".join(self._last_lines)
        assert self._listening, f"The app process exited at start, saying:\n{last_words}"

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, whatever was mid-write stays as it was."""
        assert self._process is not None
        if self.measured and self._process.poll() is None:
            self._process.send_signal(signal.SIGUSR1)
            self._saved.expect(timeout_s=STARTUP_TIMEOUT_S)
        os.killpg(self._process.pid, signal.SIGKILL)  # DOCCHAT_WORKERS' processes too
        self._process.wait()

    def restart_after_crash(self) -> None:
        self.kill()
        self.start()

    def restart_with(self, **settings: str) -> None:
        """Start again (same data dir and port) with these settings changed."""
        self.kill()
        self.settings.update(settings)
        self.start()

    def terminate(self) -> None:
        """SIGTERM, as a service manager stops it: it shuts down as it would in production."""
        self.process.terminate()
        self.process.wait(timeout=STARTUP_TIMEOUT_S)

    def expect_ready(self, processes: int) -> None:
        """Until this many of its processes have said they are ready (DOCCHAT_WORKERS)."""
        with self._ready:
            assert self._ready.wait_for(
                lambda: self.ready_processes >= processes, timeout=STARTUP_TIMEOUT_S
            ), f"{self.ready_processes} of {processes} processes ready; see the log."

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self.kill()

    @property
    def blobs(self) -> BlobStore:
        """Its blob store, read from disk (running or not)."""
        return BlobStore(self.data_dir / "blobs")

    def stored_message(self, message_id: str) -> dict[str, Any]:
        """A message as its database holds it, read from disk (running or not)."""
        return stored_message(self._stored(MESSAGE, message_id))

    def stored_usage(self, message_id: str) -> dict[str, int] | None:
        """The tokens an answer cost, as its database holds them."""
        usage = self._stored("SELECT usage FROM messages WHERE id = ?", message_id)["usage"]
        return json.loads(usage) if usage else None

    def _stored(self, sql: str, message_id: str) -> dict[str, Any]:
        uri = f"file:{self.data_dir / 'docchat.sqlite3'}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
            db.row_factory = sqlite3.Row
            row = db.execute(sql, (message_id,)).fetchone()
        assert row is not None, f"No message {message_id} is stored"
        return dict(row)

    def _environment(self) -> dict[str, str]:
        # A developer's own DOCCHAT_* or OPENAI_* variables stay out of the test.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DOCCHAT_", "OPENAI_"))}
        settings = {**self.settings, "data_dir": str(self.data_dir), "port": str(self.port)}
        env.update({f"DOCCHAT_{name.upper()}": value for name, value in settings.items()})
        return env

    def _relay(self, process: subprocess.Popen[str], started: Signal) -> None:
        """Pass its output on as log lines; note the port once it listens."""
        assert process.stderr is not None  # piped
        for line in process.stderr:
            log.info(line.rstrip())
            self._last_lines.append(line.rstrip())
            if match := STARTED.search(line):
                self.port = int(match.group(1))
                self._listening = True
                started.set()
            if line.startswith(measured_app.SAVED):
                self._saved.set()
            if READY in line:
                with self._ready:
                    self.ready_processes += 1
                    self._ready.notify_all()
        started.set()  # it exited: start() says so instead of waiting out the timeout
