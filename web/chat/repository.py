"""Writing chats' and messages' rows, and what a question is asked with.

Each change to a chat, and each answer that starts, is announced to the workspace's tabs
in the same transaction (announcements.py).
"""

import json
from dataclasses import asdict
from typing import Any

from web.chat import announcements, rows
from web.chat.display import Message
from web.chat.endings import IN_HISTORY
from web.errors import ReplyInProgress
from web.fault_points import fault_point
from web.leases import ORPHANED
from web.llm.prompts import AnswerRequest, recent_exchanges
from web.retrieval import Passage
from web.row_stamps import new_id, utc_now
from web.storage import Connection, Database, Row
from web.streams import events

UNTITLED = "New chat"
TITLE_CHARS = 60


@fault_point("chat.creating")
def create_session(db: Database, workspace_id: str, title: str | None) -> dict[str, Any]:
    """The new chat, as the API gives it."""
    session_id, now = new_id(), utc_now()
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO sessions (id, workspace_id, title, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (session_id, workspace_id, title or UNTITLED, now, now),
        )
        return announcements.announce_session(db, session_id)


def update_session(db: Database, session_id: str, **changes: Any) -> None:
    """Set `title` and/or `document_ids` (a list, or None for every ready document)."""
    if "document_ids" in changes and changes["document_ids"] is not None:
        changes["document_ids"] = json.dumps(changes["document_ids"])
    assignments = ", ".join(f"{column} = ?" for column in changes)
    with db.transaction() as conn:
        conn.execute(
            f"UPDATE sessions SET {assignments}, updated_at = ? WHERE id = ?",
            (*changes.values(), utc_now(), session_id),
        )
        announcements.announce_session(db, session_id)


def delete_session(db: Database, workspace_id: str, session_id: str) -> None:
    """The chat with its messages and their event logs."""
    with db.transaction() as conn:
        conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        events.changes.append(conn, workspace_id, "session_deleted", {"id": session_id})


def _one_answer_at_a_time(conn: Connection, session_id: str) -> None:
    """In the transaction that starts an answer: none is being written in the chat yet.
    Writers take turns, across processes too: none can start another between this check
    and the transaction's end."""
    busy = conn.execute(
        "SELECT 1 FROM messages WHERE session_id = ? AND status = 'streaming' LIMIT 1",
        (session_id,),
    ).fetchone()
    if busy:
        raise ReplyInProgress()


@fault_point("answer.adding")
def add_exchange(
    db: Database, session: Row, content: str, mode: str, offline: bool, writer: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The user's message and the assistant's (streaming) reply, in one transaction;
    `writer`: the process that writes the reply. Returns the chat and the answer's start
    as announced (announcements.py): the question and the answer, as the API gives them."""
    user_id, assistant_id, now = new_id(), new_id(), utc_now()
    with db.transaction() as conn:
        _one_answer_at_a_time(conn, session["id"])
        conn.execute(
            "INSERT INTO messages (id, session_id, role, mode, content, status, created_at) "
            "VALUES (?, ?, 'user', ?, ?, 'done', ?)",
            (user_id, session["id"], mode, content, now),
        )
        conn.execute(
            "INSERT INTO messages (id, session_id, role, mode, status, offline, created_at, "
            "writer) VALUES (?, ?, 'assistant', ?, 'streaming', ?, ?, ?)",
            (assistant_id, session["id"], mode, int(offline), now, writer),
        )
        title = session["title"]
        if title == UNTITLED:
            title = content if len(content) <= TITLE_CHARS else content[: TITLE_CHARS - 1] + "…"
        conn.execute(
            "UPDATE sessions SET title = ?, updated_at = ? WHERE id = ?",
            (title, now, session["id"]),
        )
        chat = announcements.announce_session(db, session["id"])
        return chat, announcements.announce_answer(db, assistant_id, question_id=user_id)


def adopt_orphans(db: Database, writer: str) -> list[str]:
    """Answers streaming for a process that is gone (web/leases.py), now the writer's
    to end: each is adopted by one process only, whichever gets there first."""
    with db.transaction() as conn:
        adopted = conn.execute(
            "UPDATE messages SET writer = ? "
            f"WHERE status = 'streaming' AND {ORPHANED} RETURNING id",
            (writer,),
        ).fetchall()
    return [row["id"] for row in adopted]


# An answer's row as its job writes it; each call is part of a transaction of
# `answer_log`'s, which adds the matching event to the answer's log. Its text is written
# once, at its ending, from the log's tokens (until then, reads add them).


def append_step(conn: Connection, message_id: str, text: str) -> None:
    (steps,) = conn.execute("SELECT steps FROM messages WHERE id = ?", (message_id,)).fetchone()
    conn.execute(
        "UPDATE messages SET steps = ? WHERE id = ?",
        (json.dumps([*json.loads(steps or "[]"), text], ensure_ascii=False), message_id),
    )


def set_citations(conn: Connection, message_id: str, cited: list[dict[str, Any]]) -> None:
    conn.execute(
        "UPDATE messages SET citations = ? WHERE id = ?",
        (json.dumps(cited, ensure_ascii=False), message_id),
    )


def add_thought(conn: Connection, message_id: str, seconds: float) -> float:
    """Seconds the model thought, added to what it thought before; returns them all."""
    (total,) = conn.execute(
        "UPDATE messages SET thought_s = COALESCE(thought_s, 0) + ? WHERE id = ? "
        "RETURNING thought_s",
        (seconds, message_id),
    ).fetchone()
    return float(total)


def set_ending(
    conn: Connection,
    message_id: str,
    status: str,
    error: dict[str, Any] | None,
    sources: AnswerRequest | None,
    usage: dict[str, int] | None,
    laid_out: tuple[str, str] | None,
) -> None:
    """`laid_out`: its whole text, and that as HTML (None: not yet, web/chat/rendering.py;
    its text is read from its log here)."""
    (before,) = conn.execute("SELECT usage FROM messages WHERE id = ?", (message_id,)).fetchone()
    text, html = laid_out or (rows.answer_text(conn, message_id), None)
    conn.execute(
        "UPDATE messages SET content = ?, reasoning = reasoning || ?, status = ?, "
        "error = ?, sources = ?, usage = ?, html = ? WHERE id = ?",
        (
            text,
            events.streamed_text(conn, message_id, "reasoning"),
            status,
            json.dumps(error) if error else None,
            _sources_json(sources) if sources else None,
            _usage_json(before, usage),
            html,
            message_id,
        ),
    )


def set_html(db: Database, message_id: str, content: str, html: str) -> None:
    """An ended answer's text laid out, unless it changed meanwhile (it was continued)."""
    with db.transaction() as conn:
        conn.execute(
            "UPDATE messages SET html = ? WHERE id = ? AND content = ? AND status <> 'streaming'",
            (html, message_id, content),
        )


def _usage_json(before: str | None, usage: dict[str, int] | None) -> str | None:
    """The tokens an answer cost, each part's added up when it went on (continued)."""
    if before is None or usage is None:
        return before if usage is None else json.dumps(usage)
    total = json.loads(before)
    for name, count in usage.items():
        total[name] = total.get(name, 0) + count
    return json.dumps(total)


def history(
    db: Database, session_id: str, budget_chars: int, before: str | None = None
) -> list[dict[str, str]]:
    """Earlier exchanges that got a full answer, newest kept first, within a character budget.

    With `before`, only exchanges that come before that message.
    """
    earlier = db.all(
        "SELECT id, role, content, status FROM messages WHERE session_id = ? ORDER BY rowid",
        session_id,
    )
    if before is not None:
        earlier = earlier[: next(i for i, row in enumerate(earlier) if row["id"] == before)]
    return recent_exchanges(earlier, budget_chars, finished=IN_HISTORY)


@fault_point("answer.replacing")
def replace_answer(db: Database, answer: Message, offline: bool, writer: str) -> dict[str, Any]:
    """A new streaming answer in place of a finished one, for the same question, written
    by `writer` (a process); as announced."""
    new_answer_id, now = new_id(), utc_now()
    with db.transaction() as conn:
        _one_answer_at_a_time(conn, answer["session_id"])
        conn.execute("DELETE FROM messages WHERE id = ?", (answer["id"],))
        conn.execute(
            "INSERT INTO messages (id, session_id, role, mode, status, offline, created_at, "
            "writer) VALUES (?, ?, 'assistant', ?, 'streaming', ?, ?, ?)",
            (new_answer_id, answer["session_id"], answer["mode"], int(offline), now, writer),
        )
        conn.execute("UPDATE sessions SET updated_at = ? WHERE id = ?", (now, answer["session_id"]))
        announcements.announce_session(db, answer["session_id"])
        return announcements.announce_answer(db, new_answer_id, replaces=answer["id"])


@fault_point("answer.reopening")
def reopen_answer(db: Database, answer: Message, writer: str) -> dict[str, Any]:
    """An answer stopped at the length limit goes on, written by `writer` (a process):
    streaming again, same log; as announced."""
    with db.transaction() as conn:
        _one_answer_at_a_time(conn, answer["session_id"])
        conn.execute(
            "UPDATE messages SET status = 'streaming', writer = ?, html = NULL WHERE id = ?",
            (writer, answer["id"]),
        )
        events.reopen(conn, answer["id"])
        return announcements.announce_answer(db, answer["id"], replaces=answer["id"])


def _sources_json(request: AnswerRequest) -> str:
    passages = [asdict(p) for p in request.passages]
    return json.dumps({"passages": passages, "sub_questions": request.sub_questions})


def continuation(db: Database, answer: Message, budget_chars: int) -> AnswerRequest:
    """What asks the model to go on with an answer: the same question, history and sources
    as before (numbered the same, so citations still match), and the answer so far."""
    question = rows.question_for(db, answer)
    (saved,) = db.the("SELECT sources FROM messages WHERE id = ?", answer["id"])
    sources = json.loads(saved)
    return AnswerRequest(
        question=question["content"],
        passages=[Passage(**p) for p in sources["passages"]],
        mode=answer["mode"],
        history=history(db, answer["session_id"], budget_chars, question["id"]),
        sub_questions=sources["sub_questions"],
        partial=answer["content"],
    )
