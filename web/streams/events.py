"""The event log table: one numbered row per token, step, citation list or ending."""

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from web.storage import Database

# A message's log always ends with one of these.
TERMINAL = frozenset({"done", "error"})


@dataclass
class Event:
    seq: int
    type: str
    data: str  # JSON

    @property
    def is_terminal(self) -> bool:
        return self.type in TERMINAL


def append(conn: sqlite3.Connection, message_id: str, type_: str, data: Any) -> int:
    (seq,) = conn.execute(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE message_id = ?", (message_id,)
    ).fetchone()
    conn.execute(
        "INSERT INTO events (message_id, seq, type, data) VALUES (?, ?, ?, ?)",
        (message_id, seq, type_, json.dumps(data, ensure_ascii=False)),
    )
    return seq


def reopen(conn: sqlite3.Connection, message_id: str) -> None:
    """The message goes on (an answer continued): its ending becomes a `continued` marker.

    Rewritten in place, not removed, so every id keeps its meaning: a client that saw the
    ending resumes after it and gets exactly what came next.
    """
    conn.execute(
        "UPDATE events SET type = 'continued', data = '{}' WHERE message_id = ? "
        "AND seq = (SELECT MAX(seq) FROM events WHERE message_id = ?)",
        (message_id, message_id),
    )


def after(db: Database, message_id: str, seq: int) -> list[Event]:
    rows = db.all(
        "SELECT seq, type, data FROM events WHERE message_id = ? AND seq > ? ORDER BY seq",
        message_id,
        seq,
    )
    return [Event(r["seq"], r["type"], r["data"]) for r in rows]


def last_seq(db: Database, message_id: str) -> int:
    row = db.one("SELECT COALESCE(MAX(seq), 0) FROM events WHERE message_id = ?", message_id)
    return row[0]
