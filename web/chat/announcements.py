"""What a workspace's tabs hear of a chat's changes, announced in the transaction that
makes them: each tab follows its workspace's log (web/workspace_stream.py)."""

from typing import Any

from web.chat import rows
from web.chat.display import message_json
from web.storage import Database
from web.streams import events


def started_answer_json(db: Database, answer_id: str) -> dict[str, Any]:
    """An answer just started, with the id of its last event so far (a continued one has
    its earlier events): where its stream goes on from."""
    answer = message_json(rows.get_message_by_id(db, answer_id))
    answer["last_event_id"] = events.answers.last_seq(db, answer_id)
    return answer


def announce_answer(
    db: Database, answer_id: str, *, question_id: str | None = None, replaces: str | None = None
) -> dict[str, Any]:
    """`answer {session_id, question, answer, replaces}`: an answer starts streaming, after
    a new question (sent), or in place of another (retried) or of itself (continued). The
    answer carries `last_event_id`, where its own stream goes on from. Returns what it
    announced, which is what the request that started the answer answers with."""
    answer = started_answer_json(db, answer_id)
    question = message_json(rows.get_message_by_id(db, question_id)) if question_id else None
    (workspace_id,) = db.the("SELECT workspace_id FROM sessions WHERE id = ?", answer["session_id"])
    data = {
        "session_id": answer["session_id"],
        "question": question,
        "answer": answer,
        "replaces": replaces,
    }
    events.changes.append(db.conn, workspace_id, "answer", data)
    return data


def announce_session(db: Database, session_id: str) -> dict[str, Any]:
    """`session {session}`: the chat as it is now (new, renamed, its documents, its place),
    which it returns."""
    row = db.the(
        f"SELECT workspace_id, {rows.SESSION_FIELDS} FROM sessions WHERE id = ?", session_id
    )
    session = rows.session_json(row)
    events.changes.append(db.conn, row["workspace_id"], "session", {"session": session})
    return session
