"""HTTP API for documents."""

import re
from typing import Any

from fastapi import APIRouter, Request, Response

from web.api_models import Document, errors
from web.context import Ctx, Workspace
from web.documents import repository as repo
from web.documents.ingest import ingest, remove
from web.documents.upload import receive_file
from web.errors import NotFound

router = APIRouter(prefix="/api/documents", tags=["documents"])

UPLOAD_NAME = re.compile(r"[A-Za-z0-9-]{1,64}")

# The body is read as it streams (web/documents/upload.py), so FastAPI can't infer it.
UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        }
    },
}


@router.post(
    "",
    status_code=201,
    response_model=Document,
    responses=errors(400, 403, 409, 413, 415, 422, 429, 507),
    openapi_extra={"requestBody": UPLOAD_BODY},
)
async def upload_document(request: Request, ctx: Ctx, workspace: Workspace) -> dict[str, Any]:
    with ctx.uploads.hold(workspace):
        received = await receive_file(request, ctx.blobs, ctx.settings.max_upload_bytes)
        try:
            return await ingest(ctx, workspace, received, _upload_name(request))
        finally:
            received.path.unlink(missing_ok=True)  # already moved when the blob was stored


def _upload_name(request: Request) -> str | None:
    """The page's own name for an upload (`DocChat-Upload`), if it is a plain token."""
    name = request.headers.get("docchat-upload", "")
    return name if UPLOAD_NAME.fullmatch(name) else None


@router.get("", response_model=list[Document])
async def list_documents(ctx: Ctx, workspace: Workspace) -> list[dict[str, Any]]:
    return [repo.as_json(row) for row in repo.list_all(ctx.db, workspace)]


@router.get("/{document_id}", response_model=Document, responses=errors(404, 422))
async def get_document(document_id: str, ctx: Ctx, workspace: Workspace) -> dict[str, Any]:
    row = repo.get(ctx.db, workspace, document_id)
    if row is None:
        raise NotFound("Document")
    return repo.as_json(row)


@router.delete("/{document_id}", status_code=204, responses=errors(403, 404, 422, 507))
async def delete_document(document_id: str, ctx: Ctx, workspace: Workspace) -> Response:
    row = repo.get(ctx.db, workspace, document_id)
    if row is None:
        raise NotFound("Document")
    remove(ctx, workspace, row)
    return Response(status_code=204)
