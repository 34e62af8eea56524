"""Session and message rows."""

import json
import sqlite3
from typing import Any

from web.context import new_id, utc_now
from web.rendering import markdown_to_html
from web.storage import Database

SESSION_FIELDS = "id, title, document_ids, created_at, updated_at"
MESSAGE_FIELDS = (
    "m.id, m.session_id, m.role, m.mode, m.content, m.status, m.error, m.offline, m.created_at"
)
UNTITLED = "New chat"
TITLE_CHARS = 60


def session_json(row: sqlite3.Row) -> dict[str, Any]:
    ids = row["document_ids"]
    return {
        "id": row["id"],
        "title": row["title"],
        "document_ids": json.loads(ids) if ids is not None else None,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def message_json(row: sqlite3.Row) -> dict[str, Any]:
    message = dict(row)
    message["error"] = json.loads(row["error"]) if row["error"] else None
    message["offline"] = bool(row["offline"])
    message["html"] = markdown_to_html(row["content"]) if row["role"] == "assistant" else None
    message["events_url"] = (
        f"/api/messages/{row['id']}/events" if row["role"] == "assistant" else None
    )
    return message


def create_session(db: Database, workspace_id: str, title: str | None) -> sqlite3.Row:
    session_id, now = new_id(), utc_now()
    db.run(
        "INSERT INTO sessions (id, workspace_id, title, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?)",
        session_id,
        workspace_id,
        title or UNTITLED,
        now,
        now,
    )
    return get_session(db, workspace_id, session_id)


def get_session(db: Database, workspace_id: str, session_id: str) -> sqlite3.Row | None:
    return db.one(
        f"SELECT {SESSION_FIELDS} FROM sessions WHERE id = ? AND workspace_id = ?",
        session_id,
        workspace_id,
    )


def list_sessions(db: Database, workspace_id: str) -> list[sqlite3.Row]:
    return db.all(
        f"SELECT {SESSION_FIELDS} FROM sessions WHERE workspace_id = ? "
        "ORDER BY updated_at DESC, rowid DESC",
        workspace_id,
    )


def messages(db: Database, session_id: str) -> list[sqlite3.Row]:
    return db.all(
        f"SELECT {MESSAGE_FIELDS} FROM messages m WHERE m.session_id = ? ORDER BY m.rowid",
        session_id,
    )


def get_message(db: Database, workspace_id: str, message_id: str) -> sqlite3.Row | None:
    return db.one(
        f"SELECT {MESSAGE_FIELDS} FROM messages m JOIN sessions s ON s.id = m.session_id "
        "WHERE m.id = ? AND s.workspace_id = ?",
        message_id,
        workspace_id,
    )


def get_message_by_id(db: Database, message_id: str) -> sqlite3.Row:
    return db.one(f"SELECT {MESSAGE_FIELDS} FROM messages m WHERE m.id = ?", message_id)


def is_streaming(db: Database, session_id: str) -> bool:
    row = db.one(
        "SELECT 1 FROM messages WHERE session_id = ? AND status = 'streaming' LIMIT 1", session_id
    )
    return row is not None


def add_exchange(
    db: Database, session: sqlite3.Row, content: str, mode: str, offline: bool
) -> tuple[str, str]:
    """The user's message and the assistant's (streaming) reply, in one transaction."""
    user_id, assistant_id, now = new_id(), new_id(), utc_now()
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO messages (id, session_id, role, mode, content, status, created_at) "
            "VALUES (?, ?, 'user', ?, ?, 'done', ?)",
            (user_id, session["id"], mode, content, now),
        )
        conn.execute(
            "INSERT INTO messages (id, session_id, role, mode, status, offline, created_at) "
            "VALUES (?, ?, 'assistant', ?, 'streaming', ?, ?)",
            (assistant_id, session["id"], mode, int(offline), now),
        )
        title = session["title"]
        if title == UNTITLED:
            title = content if len(content) <= TITLE_CHARS else content[: TITLE_CHARS - 1] + "…"
        conn.execute(
            "UPDATE sessions SET title = ?, updated_at = ? WHERE id = ?",
            (title, now, session["id"]),
        )
    return user_id, assistant_id


def history(db: Database, session_id: str, budget_chars: int) -> list[dict[str, str]]:
    """Earlier finished turns, newest kept first, within a character budget."""
    rows = db.all(
        "SELECT role, content FROM messages WHERE session_id = ? AND status = 'done' "
        "AND content != '' ORDER BY rowid DESC",
        session_id,
    )
    kept: list[dict[str, str]] = []
    for row in rows:
        budget_chars -= len(row["content"])
        if budget_chars < 0:
            break
        kept.append({"role": row["role"], "content": row["content"]})
    return kept[::-1]
