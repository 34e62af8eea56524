"""Document rows, their chunks and full-text index entries.

Each change to a row is announced to the workspace's tabs in the same transaction.
"""

import json
from collections.abc import Callable
from typing import Any

from web.documents.chunking import Chunk
from web.fault_points import fault_point
from web.leases import ORPHANED
from web.storage import Connection, Database, Row
from web.streams import events

INTERRUPTED = (
    "Processing was interrupted by a server restart. Delete the document and upload it again."
)
FIELDS = "id, filename, size, content_type, sha256, status, error, pages, chunks, created_at"


def as_json(row: Row) -> dict[str, Any]:
    return {key: row[key] for key in FIELDS.split(", ")}


def get(db: Database, workspace_id: str, document_id: str) -> Row | None:
    return db.one(
        f"SELECT {FIELDS} FROM documents WHERE id = ? AND workspace_id = ?",
        document_id,
        workspace_id,
    )


def get_any(db: Database, document_id: str) -> Row | None:
    """A document in any workspace: for background work that has only its id."""
    return db.one(f"SELECT {FIELDS} FROM documents WHERE id = ?", document_id)


def find_by_sha(db: Database, workspace_id: str, sha256: str) -> Row | None:
    return db.one(
        f"SELECT {FIELDS} FROM documents WHERE workspace_id = ? AND sha256 = ?",
        workspace_id,
        sha256,
    )


def list_all(db: Database, workspace_id: str) -> list[Row]:
    return db.all(
        f"SELECT {FIELDS} FROM documents WHERE workspace_id = ? ORDER BY created_at, rowid",
        workspace_id,
    )


def chosen(db: Database, workspace_id: str, document_ids: list[str] | None) -> list[Row]:
    """The documents a chat answers from: those it chose, or (None) every one."""
    rows = list_all(db, workspace_id)
    return rows if document_ids is None else [row for row in rows if row["id"] in document_ids]


@fault_point("document.row")
def insert(db: Database, upload: str | None, with_it: Callable[[], object], **row: Any) -> None:
    """`upload`: the uploading tab's own name for it, so that tab knows the row is its own.
    `with_it`: what is done in the row's transaction, all or nothing with it (its blob
    stored)."""
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    with db.transaction() as conn:
        conn.execute(f"INSERT INTO documents ({names}) VALUES ({marks})", tuple(row.values()))
        _announce(conn, row["id"], upload)
        with_it()


@fault_point("document.chunks")
def add_chunks(db: Database, document_id: str, chunks: list[Chunk]) -> None:
    with db.transaction() as conn:
        conn.executemany(
            "INSERT INTO chunks (document_id, seq, page, text) VALUES (?, ?, ?, ?)",
            [(document_id, c.seq, c.page, c.text) for c in chunks],
        )


def mark_ready(db: Database, document_id: str, pages: int | None, chunks: int) -> None:
    with db.transaction() as conn:
        conn.execute(
            "UPDATE documents SET status = 'ready', pages = ?, chunks = ? WHERE id = ?",
            (pages, chunks, document_id),
        )
        _announce(conn, document_id)


def mark_failed(db: Database, document_id: str, error: str) -> None:
    """Failed, saying why; the passages indexed before it failed go (its text is read and
    indexed a block at a time: the reading can fail half way)."""
    with db.transaction() as conn:
        conn.execute("DELETE FROM chunks WHERE document_id = ?", (document_id,))
        conn.execute(
            "UPDATE documents SET status = 'failed', error = ? WHERE id = ?", (error, document_id)
        )
        _announce(conn, document_id)


def fail_orphans(db: Database) -> None:
    """Documents processing for a process that is gone (web/leases.py) end failed,
    each once, whichever process gets there first."""
    with db.transaction() as conn:
        failed = conn.execute(
            "UPDATE documents SET status = 'failed', error = ? "
            f"WHERE status = 'processing' AND {ORPHANED} RETURNING id",
            (INTERRUPTED,),
        ).fetchall()
        for row in failed:
            _announce(conn, row["id"])


def delete(db: Database, document: Row, workspace_id: str, if_last: Callable[[], object]) -> None:
    """The row (its chunks go with it), and the document from every chat's choice.
    `if_last`: what is done in the same transaction when no row is left with its bytes
    (its blob deleted)."""
    with db.transaction() as conn:
        conn.execute("DELETE FROM documents WHERE id = ?", (document["id"],))
        _unchoose(conn, workspace_id, document["id"])
        events.changes.append(conn, workspace_id, "document_deleted", {"id": document["id"]})
        others = "SELECT 1 FROM documents WHERE sha256 = ? LIMIT 1"
        if conn.execute(others, (document["sha256"],)).fetchone() is None:
            if_last()


def _unchoose(conn: Connection, workspace_id: str, document_id: str) -> None:
    """The document leaves every chat of the workspace that had chosen it."""
    chats = conn.execute(
        "SELECT id, document_ids FROM sessions WHERE workspace_id = ? AND document_ids LIKE ?",
        (workspace_id, f'%"{document_id}"%'),  # an id in a JSON list (ids are hex)
    ).fetchall()
    for chat in chats:
        chosen = [other for other in json.loads(chat["document_ids"]) if other != document_id]
        update = "UPDATE sessions SET document_ids = ? WHERE id = ?"
        conn.execute(update, (json.dumps(chosen), chat["id"]))


def _announce(conn: Connection, document_id: str, upload: str | None = None) -> None:
    """`document {document, upload}`: how the document is now, for every tab to show."""
    row = conn.execute(
        f"SELECT workspace_id, {FIELDS} FROM documents WHERE id = ?", (document_id,)
    ).fetchone()
    if row is not None:  # else deleted meanwhile, and that was announced
        data = {"document": as_json(row), "upload": upload}
        events.changes.append(conn, row["workspace_id"], "document", data)


def shas_in_use(db: Database) -> set[str]:
    return {row["sha256"] for row in db.all("SELECT DISTINCT sha256 FROM documents")}
