"""A stored document's text into the full-text index, in a worker thread.

Off the event loop, on a connection of its own, committing in small batches: answers
keep streaming while a large file is indexed, waiting at most one batch for the database.
"""

import itertools
import logging
from pathlib import Path

from web.documents import repository as repo
from web.documents.chunking import chunk_pages
from web.documents.extract import ExtractionError, Limits
from web.documents.limited_extraction import Bounds, extract_bounded
from web.settings import Settings
from web.storage import INTEGRITY_ERRORS, Database

log = logging.getLogger("docchat.documents")

BATCH = 200  # chunks per transaction: ~25 ms of FTS5 indexing


def index_document(
    settings: Settings, server_db: Database, document_id: str, content_type: str, blob: Path
) -> None:
    db = server_db.reopened()
    try:
        _index(settings, db, document_id, content_type, blob)
    finally:
        db.close()


def _index(
    settings: Settings, db: Database, document_id: str, content_type: str, blob: Path
) -> None:
    try:
        pages = extract_bounded(blob, content_type, bounds(settings))
    except ExtractionError as exc:
        detail = f" ({exc.__cause__})" if exc.__cause__ else ""
        log.warning("document %s failed: %s%s", document_id, exc, detail)
        repo.mark_failed(db, document_id, str(exc))
        return
    chunks = chunk_pages(pages, settings.chunk_chars, settings.chunk_overlap_chars)
    count = 0
    while batch := list(itertools.islice(chunks, BATCH)):
        try:
            repo.add_chunks(db, document_id, batch)
        except INTEGRITY_ERRORS:
            return  # deleted while it was being indexed; its chunks went with it
        count += len(batch)
    if count == 0:
        repo.mark_failed(db, document_id, "No text found in this document.")
        return
    repo.mark_ready(db, document_id, len(pages) if pages[0].number is not None else None, count)


def bounds(settings: Settings) -> Bounds:
    limits = Limits(
        settings.extract_max_pages, settings.extract_max_chars, settings.extract_max_unpacked_mb
    )
    return Bounds(settings.extract_timeout_s, settings.extract_memory_mb, limits)
