"""Document rows, their chunks and full-text index entries."""

import sqlite3
from typing import Any

from web.documents.chunking import Chunk
from web.storage import Database

FIELDS = "id, filename, size, content_type, sha256, status, error, pages, chunks, created_at"


def as_json(row: sqlite3.Row) -> dict[str, Any]:
    return {key: row[key] for key in FIELDS.split(", ")}


def get(db: Database, workspace_id: str, document_id: str) -> sqlite3.Row | None:
    return db.one(
        f"SELECT {FIELDS} FROM documents WHERE id = ? AND workspace_id = ?",
        document_id,
        workspace_id,
    )


def get_any(db: Database, document_id: str) -> sqlite3.Row | None:
    """A document in any workspace: for background work that has only its id."""
    return db.one(f"SELECT {FIELDS} FROM documents WHERE id = ?", document_id)


def find_by_sha(db: Database, workspace_id: str, sha256: str) -> sqlite3.Row | None:
    return db.one(
        f"SELECT {FIELDS} FROM documents WHERE workspace_id = ? AND sha256 = ?",
        workspace_id,
        sha256,
    )


def list_all(db: Database, workspace_id: str) -> list[sqlite3.Row]:
    return db.all(
        f"SELECT {FIELDS} FROM documents WHERE workspace_id = ? ORDER BY created_at, rowid",
        workspace_id,
    )


def insert(db: Database, **row: Any) -> None:
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    db.run(f"INSERT INTO documents ({names}) VALUES ({marks})", *row.values())


def add_chunks(db: Database, document_id: str, chunks: list[Chunk]) -> None:
    with db.transaction() as conn:
        conn.executemany(
            "INSERT INTO chunks (document_id, seq, page, text) VALUES (?, ?, ?, ?)",
            [(document_id, c.seq, c.page, c.text) for c in chunks],
        )


def mark_ready(db: Database, document_id: str, pages: int | None, chunks: int) -> None:
    db.run(
        "UPDATE documents SET status = 'ready', pages = ?, chunks = ? WHERE id = ?",
        pages,
        chunks,
        document_id,
    )


def mark_failed(db: Database, document_id: str, error: str) -> None:
    db.run("UPDATE documents SET status = 'failed', error = ? WHERE id = ?", error, document_id)


def fail_unfinished(db: Database) -> None:
    """After a crash: nothing is still being processed, so say so."""
    db.run(
        "UPDATE documents SET status = 'failed', error = ? WHERE status = 'processing'",
        "Processing was interrupted by a server restart. Delete the document and upload it again.",
    )


def delete(db: Database, document_id: str) -> None:
    db.run("DELETE FROM documents WHERE id = ?", document_id)


def shas_in_use(db: Database) -> set[str]:
    return {row["sha256"] for row in db.all("SELECT DISTINCT sha256 FROM documents")}


def sha_in_use(db: Database, sha256: str) -> bool:
    return db.one("SELECT 1 FROM documents WHERE sha256 = ? LIMIT 1", sha256) is not None
