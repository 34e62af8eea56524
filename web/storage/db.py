"""A SQLite connection in WAL mode: the server loop's own, or a worker thread's."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

# Changes to schema.sql's tables, in order; PRAGMA user_version counts those applied.
MIGRATIONS = [
    # Deep research: what an answer cites, and the steps that led to it (JSON lists).
    "ALTER TABLE messages ADD COLUMN citations TEXT; ALTER TABLE messages ADD COLUMN steps TEXT",
    # What an answer stopped at the length limit was written from, for Continue (JSON).
    "ALTER TABLE messages ADD COLUMN sources TEXT",
]


class Database:
    def __init__(self, path: Path, *, prepare: bool = True) -> None:
        """Open the database; `prepare` creates and migrates it (once, at startup)."""
        self.path = path
        # Autocommit; multi-statement writes go through transaction().
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA busy_timeout=5000")
        if prepare:
            self.conn.executescript(files("web.storage").joinpath("schema.sql").read_text())
            self._migrate()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            if self.conn.in_transaction:  # SQLite rolls back by itself on some errors (FULL)
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def one(self, sql: str, *params: Any) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def all(self, sql: str, *params: Any) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def run(self, sql: str, *params: Any) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def close(self) -> None:
        self.conn.close()

    def _migrate(self) -> None:
        """Bring a database made by an older DocChat up to date, one step at a time."""
        (version,) = self.conn.execute("PRAGMA user_version").fetchone()
        for number, sql in enumerate(MIGRATIONS[version:], version + 1):
            with self.transaction() as conn:
                for statement in sql.split(";"):  # an empty one is a no-op
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")
