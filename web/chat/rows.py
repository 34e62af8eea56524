"""Reading chats' and messages' rows, and a chat as the API gives it.

An answer being written keeps its text in its event log until it ends: reads of its
message add what the log has so far.
"""

import json
from typing import Any

from web.chat.display import Message
from web.storage import Connection, Database, Row
from web.streams import events

SESSION_FIELDS = "id, title, document_ids, created_at, updated_at"


MESSAGE_FIELDS = (
    "m.id, m.session_id, m.role, m.mode, m.content, m.status, m.error, m.offline, "
    "m.citations, m.steps, m.reasoning, m.thought_s, m.usage, m.html, m.created_at"
)


def session_json(row: Row) -> dict[str, Any]:
    ids = row["document_ids"]
    return {
        "id": row["id"],
        "title": row["title"],
        "document_ids": json.loads(ids) if ids is not None else None,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def the_session(db: Database, workspace_id: str, session_id: str) -> Row:
    """A chat known to be there (just written, or found earlier in the request)."""
    return db.the(
        f"SELECT {SESSION_FIELDS} FROM sessions WHERE id = ? AND workspace_id = ?",
        session_id,
        workspace_id,
    )


def get_session(db: Database, workspace_id: str, session_id: str) -> Row | None:
    return db.one(
        f"SELECT {SESSION_FIELDS} FROM sessions WHERE id = ? AND workspace_id = ?",
        session_id,
        workspace_id,
    )


def list_sessions(db: Database, workspace_id: str) -> list[Row]:
    return db.all(
        f"SELECT {SESSION_FIELDS} FROM sessions WHERE workspace_id = ? "
        "ORDER BY updated_at DESC, rowid DESC",
        workspace_id,
    )


def messages(db: Database, session_id: str) -> list[Message]:
    rows = db.all(
        f"SELECT {MESSAGE_FIELDS} FROM messages m WHERE m.session_id = ? ORDER BY m.rowid",
        session_id,
    )
    return [with_streamed_text(db, row) for row in rows]


def get_message(db: Database, workspace_id: str, message_id: str) -> Row | None:
    """The row as stored, for checks on who owns it and where it stands (an answer being
    written has its text in its log: `messages` and `get_message_by_id` add it)."""
    return db.one(
        f"SELECT {MESSAGE_FIELDS} FROM messages m JOIN sessions s ON s.id = m.session_id "
        "WHERE m.id = ? AND s.workspace_id = ?",
        message_id,
        workspace_id,
    )


def get_message_by_id(db: Database, message_id: str) -> Message:
    row = db.the(f"SELECT {MESSAGE_FIELDS} FROM messages m WHERE m.id = ?", message_id)
    return with_streamed_text(db, row)


def with_streamed_text(db: Database, row: Row) -> Message:
    """An answer being written has, as its text and reasoning, what its log has stored so
    far."""
    if row["status"] != "streaming":
        return row
    conn, message_id = db.conn, row["id"]
    return {
        **dict(row),
        "content": row["content"] + events.streamed_text(conn, message_id),
        "reasoning": row["reasoning"] + events.streamed_text(conn, message_id, "reasoning"),
    }


def is_being_written(db: Database, message_id: str) -> bool:
    """An answer's job runs in this process or another (a crashed one's answers are
    marked interrupted when the app starts)."""
    row = db.one("SELECT status FROM messages WHERE id = ?", message_id)
    return row is not None and row["status"] == "streaming"


def answer_text(conn: Connection, message_id: str) -> str:
    """An answer's whole text: its row's (what it had before it went on) and its log's
    tokens since. Reading the log costs what its tokens do: read it once an ending."""
    (content,) = conn.execute("SELECT content FROM messages WHERE id = ?", (message_id,)).fetchone()
    return str(content) + events.streamed_text(conn, message_id)


def question_for(db: Database, answer: Message) -> Row:
    """The user message an answer replies to: the one just before it."""
    return db.the(
        f"SELECT {MESSAGE_FIELDS} FROM messages m WHERE m.session_id = ? AND m.role = 'user' "
        "AND m.rowid < (SELECT rowid FROM messages WHERE id = ?) ORDER BY m.rowid DESC LIMIT 1",
        answer["session_id"],
        answer["id"],
    )


def is_last_message(db: Database, message: Message) -> bool:
    last = db.the(
        "SELECT id FROM messages WHERE session_id = ? ORDER BY rowid DESC LIMIT 1",
        message["session_id"],
    )
    return bool(last["id"] == message["id"])
