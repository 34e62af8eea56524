"""From a received file to a stored, indexed document row, and back out again."""

import asyncio
import functools
import logging
from pathlib import Path
from typing import Any

from web.context import AppContext
from web.documents import repository as repo
from web.documents.indexing import index_document
from web.documents.upload import ReceivedFile
from web.documents.validate import detect_content_type
from web.errors import AppError, StorageFailure
from web.fault_points import fault_point
from web.row_stamps import new_id, utc_now
from web.storage import INTEGRITY_ERRORS, STORAGE_ERRORS, Row

log = logging.getLogger("docchat.documents")
# When processing fails on DocChat's side, not the file's (the file's own are ExtractionError).
PROCESSING_FAILED = (
    "DocChat could not finish processing this file. Delete it and upload it again; if that "
    "fails too, the server's log says why."
)
# When not even that can be recorded (the next start marks it failed).
STUCK = "The file is stored but not ready: once that is fixed, delete it and upload it again."


async def ingest(
    ctx: AppContext, workspace_id: str, received: ReceivedFile, upload: str | None = None
) -> dict[str, Any]:
    """`upload`: the uploading tab's name for this upload, told to every tab with the row."""
    name = received.filename
    if received.size == 0:
        raise AppError(422, "empty_file", f"“{name}” is empty. Choose a file with some text in it.")
    content_type = detect_content_type(name, received.head)
    if existing := repo.find_by_sha(ctx.db, workspace_id, received.sha256):
        raise duplicate(name, existing)
    document_id = await _store(ctx, workspace_id, received, content_type, upload)
    ctx.hub.wake_workspace(workspace_id)  # every tab shows it Processing, not only this one
    await _process(ctx, document_id, content_type, ctx.blobs.path_for(received.sha256))
    if (row := repo.get(ctx.db, workspace_id, document_id)) is None:
        raise AppError(409, "deleted", f"“{name}” was deleted while it was being processed.")
    return repo.as_json(row)


def remove(ctx: AppContext, workspace_id: str, document: Row) -> None:
    """The row with its chunks and index entries, and the blob if no other row has its
    bytes, in one transaction (as `_store` stores them)."""
    forget_bytes = functools.partial(ctx.blobs.delete, document["sha256"])
    repo.delete(ctx.db, document, workspace_id, if_last=forget_bytes)


def duplicate(name: str, existing: Row) -> AppError:
    return AppError(
        409,
        "duplicate",
        f"“{name}” is already uploaded as “{existing['filename']}”.",
        document=repo.as_json(existing),
    )


@fault_point("document.storing")
async def _store(
    ctx: AppContext,
    workspace_id: str,
    received: ReceivedFile,
    content_type: str,
    upload: str | None,
) -> str:
    """The row and its blob, in one transaction, as the last row with some bytes is deleted
    with them. Writers take turns, across processes too: bytes another process deletes
    are gone before this row is stored, and stored again with it, or kept for it."""
    document_id = new_id()
    try:
        await asyncio.to_thread(ctx.blobs.prepare, received.path)
        repo.insert(
            ctx.db,
            upload,
            with_it=functools.partial(ctx.blobs.place, received.path, received.sha256),
            id=document_id,
            workspace_id=workspace_id,
            filename=received.filename,
            size=received.size,
            content_type=content_type,
            sha256=received.sha256,
            status="processing",
            created_at=utc_now(),
            writer=ctx.lease.id,
        )
    except INTEGRITY_ERRORS as exc:
        # A concurrent upload of the same bytes won the race.
        winner = repo.find_by_sha(ctx.db, workspace_id, received.sha256)
        assert winner is not None  # the row the insert collided with
        raise duplicate(received.filename, winner) from exc
    except (*STORAGE_ERRORS, OSError) as exc:
        raise StorageFailure(exc) from exc
    return document_id


@fault_point("document.processing")
async def _process(ctx: AppContext, document_id: str, content_type: str, blob: Path) -> None:
    """Extract and index; whatever goes wrong, the document ends ready or failed."""
    try:
        await asyncio.to_thread(
            index_document, ctx.settings, ctx.db, document_id, content_type, blob
        )
    except Exception:
        log.exception("document %s: processing failed", document_id)
        try:
            repo.mark_failed(ctx.db, document_id, PROCESSING_FAILED)
        except STORAGE_ERRORS as exc:  # nor can it be marked: the database itself fails
            # It stays Processing until the next start marks it failed (interrupted).
            raise StorageFailure(exc, "the file's text", STUCK) from exc
