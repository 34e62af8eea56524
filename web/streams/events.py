"""Numbered event logs, replayed to SSE subscribers from any point.

Two kinds: each answer's own (tokens, steps, citations, its ending), and each workspace's
changes (documents, chats, answers starting), which keep every open tab true.
"""

import json
from dataclasses import dataclass
from typing import Any

from web.fault_points import fault_point
from web.storage import Connection, Database

# An answer's log always ends with one of these.
TERMINAL = frozenset({"done", "error"})


@dataclass
class Event:
    seq: int
    type: str
    data: str  # JSON

    @property
    def is_terminal(self) -> bool:
        return self.type in TERMINAL


@dataclass(frozen=True)
class Log:
    """One table of logs, numbered from 1 per `key` (a message id, or a workspace id)."""

    table: str
    key: str

    def append(self, conn: Connection, key: str, type_: str, data: Any) -> int:
        """One event; returns its number."""
        return self.append_many(conn, key, type_, [data])

    @fault_point("events.appending")
    def append_many(self, conn: Connection, key: str, type_: str, data: list[Any]) -> int:
        """Events of one type, numbered one after another; returns the last number."""
        (last,) = conn.execute(
            f"SELECT COALESCE(MAX(seq), 0) FROM {self.table} WHERE {self.key} = ?", (key,)
        ).fetchone()
        conn.executemany(
            f"INSERT INTO {self.table} ({self.key}, seq, type, data) VALUES (?, ?, ?, ?)",
            [
                (key, seq, type_, json.dumps(item, ensure_ascii=False))
                for seq, item in enumerate(data, last + 1)
            ],
        )
        return int(last) + len(data)

    def after(self, db: Database, key: str, seq: int) -> list[Event]:
        rows = db.all(
            f"SELECT seq, type, data FROM {self.table} WHERE {self.key} = ? AND seq > ? "
            "ORDER BY seq",
            key,
            seq,
        )
        return [Event(r["seq"], r["type"], r["data"]) for r in rows]

    def last_seq(self, db: Database, key: str) -> int:
        row = db.the(f"SELECT COALESCE(MAX(seq), 0) FROM {self.table} WHERE {self.key} = ?", key)
        return int(row[0])


answers = Log("events", "message_id")
changes = Log("workspace_events", "workspace_id")


def reopen(conn: Connection, message_id: str) -> None:
    """The answer goes on (continued): its ending becomes a `continued` marker.

    Rewritten in place, not removed, so every id keeps its meaning: a client that saw the
    ending resumes after it and gets exactly what came next.
    """
    conn.execute(
        "UPDATE events SET type = 'continued', data = '{}' WHERE message_id = ? "
        "AND seq = (SELECT MAX(seq) FROM events WHERE message_id = ?)",
        (message_id, message_id),
    )


def streamed_text(conn: Connection, message_id: str, type_: str = "token") -> str:
    """The text of an answer's tokens (or of its `reasoning`) since it started, or last
    went on (continued)."""
    rows = conn.execute(
        "SELECT data FROM events WHERE message_id = ? AND type = ? AND seq > "
        "(SELECT COALESCE(MAX(seq), 0) FROM events WHERE message_id = ? AND type = 'continued') "
        "ORDER BY seq",
        (message_id, type_, message_id),
    ).fetchall()
    return "".join(json.loads(data)["text"] for (data,) in rows)
