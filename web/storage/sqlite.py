"""SQLite, in the data folder, in WAL mode: the server loop's connection, or a worker
thread's. Full-text search with FTS5."""

import asyncio
import fcntl
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import IO

from web.fault_points import fault_point
from web.storage.db import Database

# Changes to sqlite.sql's tables, in order; PRAGMA user_version counts those applied.
MIGRATIONS = [
    # Deep research: what an answer cites, and the steps that led to it (JSON lists).
    "ALTER TABLE messages ADD COLUMN citations TEXT; ALTER TABLE messages ADD COLUMN steps TEXT",
    # What an answer stopped at the length limit was written from, for Continue (JSON).
    "ALTER TABLE messages ADD COLUMN sources TEXT",
    # Which process writes an answer or reads a document, and each one's lease on its work.
    "ALTER TABLE messages ADD COLUMN writer TEXT; ALTER TABLE documents ADD COLUMN writer TEXT; "
    "CREATE TABLE processes (id TEXT PRIMARY KEY, lease_until REAL NOT NULL)",
    # What the model thought before it answered, for how long, and the tokens it cost.
    "ALTER TABLE messages ADD COLUMN reasoning TEXT NOT NULL DEFAULT ''; "
    "ALTER TABLE messages ADD COLUMN thought_s REAL; ALTER TABLE messages ADD COLUMN usage TEXT",
    # An ended answer's text as HTML, laid out once (NULL: not yet, filled when read).
    "ALTER TABLE messages ADD COLUMN html TEXT",
]


class SqliteDatabase(Database):
    passages_sql = """
        SELECT c.id, c.document_id, d.filename, c.page, c.text
        FROM chunks_fts
        JOIN chunks c ON c.id = chunks_fts.rowid
        JOIN documents d ON d.id = c.document_id
        WHERE chunks_fts MATCH ? AND d.workspace_id = ? AND d.status = 'ready' {scope}
        ORDER BY bm25(chunks_fts)
        """
    now_sql = "((julianday('now') - 2440587.5) * 86400.0)"
    shared = False

    @fault_point("database.connecting")
    def __init__(self, path: Path, *, prepare: bool = True) -> None:
        """Open the database; `prepare` creates and migrates it (once, at startup)."""
        self.path = path
        # Autocommit; multi-statement writes go through transaction().
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.execute("PRAGMA busy_timeout=5000")
        if prepare:
            self._conn.executescript(files("web.storage").joinpath("sqlite.sql").read_text())
            self._migrate()

    @property
    def conn(self) -> sqlite3.Connection:
        return self._conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            if self._conn.in_transaction:  # SQLite rolls back by itself on some errors (FULL)
                self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    async def follow_writes(
        self, heard: Callable[[str], None], listening: Callable[[], None]
    ) -> None:
        """Nothing to follow: one process has the file, and its hub hears of its writes."""
        await asyncio.Event().wait()

    def notify_all(self, key: str) -> None:
        """Nobody else to tell."""

    def reopened(self) -> "SqliteDatabase":
        return SqliteDatabase(self.path, prepare=False)

    def close(self) -> None:
        self._conn.close()

    def _migrate(self) -> None:
        """Bring a database made by an older DocChat up to date, one step at a time."""
        (version,) = self._conn.execute("PRAGMA user_version").fetchone()
        for number, sql in enumerate(MIGRATIONS[version:], version + 1):
            with self.transaction() as conn:
                for statement in sql.split(";"):  # an empty one is a no-op
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")


def hold_data_folder(data_dir: Path) -> IO[str]:
    """This process's hold on a SQLite data folder, for as long as the file returned stays
    open: a second process would share its rows but not their live events, so its start
    is refused, naming the holder. The OS lets go when the holder ends, a crash included
    (flock: a lock of the open file, not of a name left behind)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = open(data_dir / "docchat.lock", "a+")  # noqa: SIM115 (held until the process ends)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.seek(0)
        holder = lock.read().strip()
        lock.close()
        raise SystemExit(
            f"DocChat's data folder {data_dir} is in use by process {holder}: one process "
            "serves a SQLite data folder. Stop that one first, or serve from several "
            "processes with DOCCHAT_DATABASE_URL=postgresql://…"
        ) from None
    lock.truncate(0)
    lock.write(str(os.getpid()))
    lock.flush()
    return lock
