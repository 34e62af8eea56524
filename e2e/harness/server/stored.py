"""What the server has stored, read on its own event loop: rows, chunks, index, blobs."""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from e2e.harness.server.live_server import LiveServer
from web.context import AppContext
from web.documents import repository as repo
from web.storage import PostgresDatabase, SqliteDatabase

# A message as stored: what a reload or a restart will show.
MESSAGE = "SELECT status, content, error, sources FROM messages WHERE id = ?"
# Each database's own full-text index: SQLite's FTS5 table, PostgreSQL's tsvector column.
INDEX_HITS = {
    SqliteDatabase: "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?",
    PostgresDatabase: "SELECT count(*) FROM chunks WHERE tsv @@ websearch_to_tsquery('english', ?)",
}


@dataclass
class StoredDocument:
    row: dict[str, Any] | None
    chunks: list[str]
    blob: bytes | None

    @property
    def blob_sha256(self) -> str | None:
        return hashlib.sha256(self.blob).hexdigest() if self.blob is not None else None

    @property
    def text(self) -> str:
        return "\n".join(self.chunks)


class Store:
    def __init__(self, server: LiveServer) -> None:
        self.server = server

    def document(self, document_id: str, sha256: str) -> StoredDocument:
        """The row (any workspace), its chunk texts, and the blob its SHA-256 names."""

        def read(ctx: AppContext) -> StoredDocument:
            row = repo.get_any(ctx.db, document_id)
            chunks = ctx.db.all(
                "SELECT text FROM chunks WHERE document_id = ? ORDER BY seq", document_id
            )
            blob = ctx.blobs.path_for(sha256)
            return StoredDocument(
                row=repo.as_json(row) if row else None,
                chunks=[c["text"] for c in chunks],
                blob=blob.read_bytes() if blob.exists() else None,
            )

        return self.server.call_on_loop(read)

    def message(self, message_id: str) -> dict[str, Any]:
        """A message's stored status, text, error (decoded) and whether it keeps sources."""
        row = self.server.call_on_loop(lambda ctx: ctx.db.one(MESSAGE, message_id))
        assert row is not None, f"No message {message_id} is stored"
        return stored_message(dict(row))

    def thinking(self, message_id: str) -> dict[str, Any]:
        """What an answer's model thought, for how long, and the tokens the answer cost."""
        row = self.server.call_on_loop(
            lambda ctx: ctx.db.the(
                "SELECT reasoning, thought_s, usage FROM messages WHERE id = ?", message_id
            )
        )
        return {**dict(row), "usage": json.loads(row["usage"]) if row["usage"] else None}

    def last_live_event_id(self) -> int:
        """The newest workspace event's number (tests have one workspace that changes)."""
        return self.server.call_on_loop(
            lambda ctx: ctx.db.the("SELECT COALESCE(MAX(seq), 0) FROM workspace_events")[0]
        )

    def index_hits(self, word: str) -> int:
        """Entries the full-text index still finds for a word."""
        return self.server.call_on_loop(
            lambda ctx: ctx.db.the(INDEX_HITS[type(ctx.db)], f'"{word}"')[0]
        )

    def document_count(self) -> int:
        """Rows in every workspace."""
        return self.server.call_on_loop(lambda ctx: ctx.db.the("SELECT count(*) FROM documents")[0])

    def blob_names(self) -> list[str]:
        """Files in the blob store, temp files excluded."""
        return self.server.call_on_loop(lambda ctx: ctx.blobs.names())

    def temp_files(self) -> list[str]:
        return self.server.call_on_loop(lambda ctx: [p.name for p in ctx.blobs.temp_files()])


def stored_message(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "error": json.loads(row["error"]) if row["error"] else None}
