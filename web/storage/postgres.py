"""PostgreSQL, for several app processes on one database (DOCCHAT_DATABASE_URL).

Statements are written once, for SQLite's `?` parameters; here the driver gets them as
its own `%s` (what Django does the other way round). Full-text search ranks passages
with PostgreSQL's own `ts_rank_cd` over an English `tsvector` of each chunk.

Writers take turns, as on SQLite: each transaction first takes one advisory lock, held
until it ends. An event log's next number is its last plus one, so two writers of the
same log at once would otherwise both take it.
"""

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from importlib.resources import files
from typing import Any, ClassVar

import psycopg
from psycopg.rows import RowMaker

from web.storage.db import Database

WRITE_LOCK = 1_684_235_107  # any number, the same in every process
CHANNEL = "docchat"  # as postgres.sql's triggers notify


class PostgresDatabase(Database):
    passages_sql = """
        SELECT c.id, c.document_id, d.filename, c.page, c.text
        FROM chunks c
        JOIN documents d ON d.id = c.document_id,
        websearch_to_tsquery('english', ?) q
        WHERE c.tsv @@ q AND d.workspace_id = ? AND d.status = 'ready' {scope}
        ORDER BY ts_rank_cd(c.tsv, q) DESC, c.id
        """
    now_sql = "extract(epoch FROM clock_timestamp())"
    shared = True

    def __init__(self, url: str, *, prepare: bool = True) -> None:
        self.url = url
        self._conn = self._connect()
        self._writing = False  # in a transaction: its statements go on its connection or fail
        if prepare:
            with self.transaction() as conn:
                conn.execute(files("web.storage").joinpath("postgres.sql").read_text())

    @property
    def conn(self) -> "_Connection":
        if not self._writing:
            self._reconnect_if_lost()
        return self._conn

    @contextmanager
    def transaction(self) -> Iterator["_Connection"]:
        self._reconnect_if_lost()
        self._writing = True
        try:
            with self._conn.raw.transaction():
                self._conn.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))
                yield self._conn
        finally:
            self._writing = False

    def _connect(self) -> "_Connection":
        return _Connection(psycopg.connect(self.url, autocommit=True, row_factory=_rows))

    def _reconnect_if_lost(self) -> None:
        """A connection lost in use (the server restarted, or ended it) is opened again,
        so the process carries on once the server is back: the statement that found it
        lost failed (507), the next one runs. Until the server is back, connecting fails."""
        if self._conn.raw.broken:
            self._conn = self._connect()

    async def follow_writes(
        self, heard: Callable[[str], None], listening: Callable[[], None]
    ) -> None:
        """Every process's writes, by the NOTIFY each log's trigger sends (postgres.sql),
        and what they send with notify_all, this process's own included."""
        async with await psycopg.AsyncConnection.connect(self.url, autocommit=True) as conn:
            await conn.execute(f"LISTEN {CHANNEL}")
            listening()
            async for note in conn.notifies():
                heard(note.payload)

    def notify_all(self, key: str) -> None:
        self._conn.execute("SELECT pg_notify(?, ?)", (CHANNEL, key))

    def reopened(self) -> "PostgresDatabase":
        return PostgresDatabase(self.url, prepare=False)

    def close(self) -> None:
        self._conn.raw.close()


class _Connection:
    """A psycopg connection taking SQLite's `?` for parameters."""

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        return self.raw.execute(_driver_sql(sql), params or None)

    def executemany(self, sql: str, params: Iterable[Sequence[Any]]) -> psycopg.Cursor[Any]:
        cursor = self.raw.cursor()
        cursor.executemany(_driver_sql(sql), params)
        return cursor


def _driver_sql(sql: str) -> str:
    # `?` is a parameter in every statement DocChat writes, and none has a literal `%`.
    return sql.replace("?", "%s")


class Row(tuple[Any, ...]):
    """As sqlite3.Row: a value by position or by column name."""

    names: ClassVar[dict[str, int]] = {}

    def __getitem__(self, key: Any) -> Any:
        return super().__getitem__(self.names[key] if isinstance(key, str) else key)

    def keys(self) -> list[str]:
        return list(self.names)


def _rows(cursor: psycopg.Cursor[Any]) -> RowMaker[Row]:
    return _row_class(tuple(column.name for column in cursor.description or ()))


@functools.cache
def _row_class(names: tuple[str, ...]) -> type[Row]:
    return type("Row", (Row,), {"names": {name: i for i, name in enumerate(names)}})
