"""The database DocChat keeps its rows in: SQLite in the data folder (the default), or a
PostgreSQL server (DOCCHAT_DATABASE_URL=postgresql://...), which several app processes
can share.

Both take the same SQL, with `?` for its parameters, and give rows read by column name
or position. Each does its own way: the schema and its migrations, full-text search
(`passages_sql`), and how writers take turns (one at a time, on either).
"""

import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

import psycopg

# What a refused write raises, on either database: to name, and to catch.
DatabaseError = sqlite3.Error | psycopg.Error
STORAGE_ERRORS = (sqlite3.Error, psycopg.Error)
INTEGRITY_ERRORS = (sqlite3.IntegrityError, psycopg.IntegrityError)


class Row(Protocol):
    """A row by column name or position (sqlite3.Row, and PostgreSQL's made alike)."""

    def __getitem__(self, key: str | int) -> Any: ...
    def __iter__(self) -> Iterator[Any]: ...
    def keys(self) -> list[str]: ...


class Cursor(Protocol):
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    """What a transaction writes through."""

    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> Cursor: ...
    def executemany(self, sql: str, params: Iterable[Sequence[Any]], /) -> Cursor: ...


class Database(ABC):
    # How passages are found: the SQL selecting (id, document_id, filename, page, text) of
    # chunks matching a query (the question's words, each quoted, joined with OR), best
    # first, with `{scope}` for more conditions on `d`; parameters: query, workspace.
    passages_sql: str
    # The database's own clock, in seconds since 1970: one clock for every process.
    now_sql: str
    # Whether other app processes may use it too (PostgreSQL), or only this one (SQLite).
    shared: bool

    @property
    @abstractmethod
    def conn(self) -> Connection:
        """Reads and single-statement writes, outside any transaction."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Connection]:
        """All of it or nothing, one writer at a time."""

    @abstractmethod
    def reopened(self) -> "Database":
        """The same database on a connection of its own, for a worker thread."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    async def follow_writes(
        self, heard: Callable[[str], None], listening: Callable[[], None]
    ) -> None:
        """Calls `heard(key)` for each log written to and each request sent to the app's
        processes (`notify_all`), by any of them, until cancelled or the connection is
        lost (it raises). `listening()` once it hears all: what came before, it may not."""

    @abstractmethod
    def notify_all(self, key: str) -> None:
        """Tells every process following writes (a stop request, say)."""

    def one(self, sql: str, *params: Any) -> Row | None:
        row: Row | None = self.conn.execute(sql, params).fetchone()
        return row

    def the(self, sql: str, *params: Any) -> Row:
        """The row that is there by the time this is asked (written earlier in the same
        request, or a parent of a row that is)."""
        row = self.one(sql, *params)
        if row is None:  # pragma: no cover - a bug, not a state the app can be in
            raise LookupError(f"No row for {sql} {params}")
        return row

    def all(self, sql: str, *params: Any) -> list[Row]:
        return self.conn.execute(sql, params).fetchall()

    def run(self, sql: str, *params: Any) -> Cursor:
        return self.conn.execute(sql, params)


def is_full(exc: BaseException) -> bool:
    return isinstance(exc, psycopg.errors.DiskFull) or (
        isinstance(exc, sqlite3.Error) and exc.sqlite_errorname == "SQLITE_FULL"
    )


def is_read_only(exc: BaseException) -> bool:
    return isinstance(exc, psycopg.errors.ReadOnlySqlTransaction) or (
        isinstance(exc, sqlite3.Error) and exc.sqlite_errorname == "SQLITE_READONLY"
    )
