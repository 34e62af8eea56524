"""A stored document's passages into the full-text index, in a worker thread.

Off the event loop, on a connection of its own, committing in small batches: answers
keep streaming while a large file is indexed, waiting at most one batch for the database.
The passages come from the reading process (limited_extraction.py), which reads and
splits the next batch meanwhile, on another core.
"""

import logging
from pathlib import Path

from web.documents import repository as repo
from web.documents.extract import ExtractionError, Limits
from web.documents.limited_extraction import Bounds, Split, read_passages
from web.settings import Settings
from web.storage import INTEGRITY_ERRORS, Database

log = logging.getLogger("docchat.documents")


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
    """Passages go in as they come out, a batch a transaction: what is held at once is a
    batch or two of passages, whatever the document's size."""
    split = Split(settings.chunk_chars, settings.chunk_overlap_chars)
    batches = read_passages(blob, content_type, bounds(settings), split)
    count, pages = 0, None
    try:
        for passages in batches:
            if passages.chunks:
                repo.add_chunks(db, document_id, passages.chunks)
            count += len(passages.chunks)
            pages = passages.last_page
    except ExtractionError as exc:
        detail = f" ({exc.__cause__})" if exc.__cause__ else ""
        log.warning("document %s failed: %s%s", document_id, exc, detail)
        repo.mark_failed(db, document_id, str(exc))  # and the chunks it had, gone
        return
    except INTEGRITY_ERRORS:
        return  # deleted while it was being indexed; its chunks went with it
    finally:
        batches.close()  # the reading stops, wherever it was
    if count == 0:
        repo.mark_failed(db, document_id, "No text found in this document.")
        return
    repo.mark_ready(db, document_id, pages, count)


def bounds(settings: Settings) -> Bounds:
    limits = Limits(
        settings.extract_max_pages, settings.extract_max_chars, settings.extract_max_unpacked_mb
    )
    return Bounds(settings.extract_timeout_s, settings.extract_memory_mb, limits)
