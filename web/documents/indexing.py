"""A stored document's text into the full-text index, in a worker thread.

Off the event loop, on a connection of its own, committing in small batches: answers
keep streaming while a large file is indexed, waiting at most one batch for the database.
"""

import itertools
import logging
from collections.abc import Iterator
from pathlib import Path

from web.documents import repository as repo
from web.documents.chunking import Block, chunk_blocks
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
    """Chunks go in as the text comes out, a batch a transaction: what is held at once is
    a block of text and a batch of passages, whatever the document's size."""
    pages = _Pages()
    blocks = extract_bounded(blob, content_type, bounds(settings))
    chunks = chunk_blocks(pages.counted(blocks), settings.chunk_chars, settings.chunk_overlap_chars)
    count = 0
    try:
        while batch := list(itertools.islice(chunks, BATCH)):
            repo.add_chunks(db, document_id, batch)
            count += len(batch)
    except ExtractionError as exc:
        detail = f" ({exc.__cause__})" if exc.__cause__ else ""
        log.warning("document %s failed: %s%s", document_id, exc, detail)
        repo.mark_failed(db, document_id, str(exc))  # and the chunks it had, gone
        return
    except INTEGRITY_ERRORS:
        return  # deleted while it was being indexed; its chunks went with it
    finally:
        blocks.close()  # the reading stops, wherever it was
    if count == 0:
        repo.mark_failed(db, document_id, "No text found in this document.")
        return
    repo.mark_ready(db, document_id, pages.last, count)


class _Pages:
    """The number of the last page read (None for a format without pages)."""

    last: int | None = None

    def counted(self, blocks: Iterator[Block]) -> Iterator[Block]:
        for block in blocks:
            self.last = block.page
            yield block


def bounds(settings: Settings) -> Bounds:
    limits = Limits(
        settings.extract_max_pages, settings.extract_max_chars, settings.extract_max_unpacked_mb
    )
    return Bounds(settings.extract_timeout_s, settings.extract_memory_mb, limits)
