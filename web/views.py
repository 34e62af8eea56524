"""HTML views, rendered on the server: the app shell and the chat page. (The page
objects the suite drives them with are in the top-level `pages/`.)"""

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from web.chat import rows as chat_rows
from web.chat.display import message_json
from web.chat.rendering import with_html
from web.context import AppContext, Ctx, Workspace
from web.documents import repository as doc_repo
from web.documents.display import summary
from web.documents.validate import CONTENT_TYPES
from web.errors import FileTooLarge, MessageTooLong
from web.streams import events
from web.templating import not_found_page, page

router = APIRouter(include_in_schema=False)

MODE_LABELS = {"chat": "Chat", "research": "Deep research"}
STATUS_LABELS = {
    "uploading": "Uploading…",
    "processing": "Processing…",
    "ready": "Ready",
    "failed": "Failed",
}


def _document(row: Any) -> dict[str, Any]:
    document = doc_repo.as_json(row)
    return {**document, "summary": summary(document)}


def _shell(
    ctx: AppContext, workspace: str, seen: int, current_session: str | None = None
) -> dict[str, Any]:
    """`seen`: the workspace's last change when the page was read, taken before anything
    else, so the page's live stream goes on from there and misses nothing (it may replay
    a change the page shows already; applying it again changes nothing)."""
    return {
        "live_event_id": seen,
        "documents": [_document(r) for r in doc_repo.list_all(ctx.db, workspace)],
        "sessions": [chat_rows.session_json(r) for r in chat_rows.list_sessions(ctx.db, workspace)],
        "current_session": current_session,
        "accept": ",".join(CONTENT_TYPES),
        "max_upload_mb": ctx.settings.max_upload_mb,
        "max_upload_bytes": ctx.settings.max_upload_bytes,
        "too_large_message": FileTooLarge(ctx.settings.max_upload_bytes).message,
        "offline": ctx.answerer.offline,
        "status_labels": STATUS_LABELS,
        "mode_labels": MODE_LABELS,
    }


@router.get("/")
async def home(request: Request, ctx: Ctx, workspace: Workspace) -> Response:
    seen = events.changes.last_seq(ctx.db, workspace)
    return page(request, "index.html", _shell(ctx, workspace, seen))


@router.get("/documents/{document_id}/row")
async def document_row(
    document_id: str, request: Request, ctx: Ctx, workspace: Workspace
) -> Response:
    """One document's row, for the page to swap in when an upload finishes."""
    row = doc_repo.get(ctx.db, workspace, document_id)
    if row is None:
        return not_found_page(request, "Document")
    context = {"document": _document(row), "status_labels": STATUS_LABELS}
    return page(request, "document_row.html", context)


@router.get("/messages/{message_id}/item")
async def message_item(
    message_id: str, request: Request, ctx: Ctx, workspace: Workspace
) -> Response:
    """One finished message, for the page to swap in when its stream ends."""
    found = chat_rows.get_message(ctx.db, workspace, message_id)
    if found is None:
        return not_found_page(request, "Message")
    [row] = await with_html(ctx, [found])
    message = {**message_json(row), "latest": chat_rows.is_last_message(ctx.db, row)}
    context = {"message": message, "mode_labels": MODE_LABELS}
    return page(request, "message.html", context)


@router.get("/c/{session_id}")
async def chat_page(session_id: str, request: Request, ctx: Ctx, workspace: Workspace) -> Response:
    seen = events.changes.last_seq(ctx.db, workspace)
    session = chat_rows.get_session(ctx.db, workspace, session_id)
    if session is None:
        return not_found_page(request, "Chat session")
    messages = []
    for row in await with_html(ctx, chat_rows.messages(ctx.db, session_id)):
        message = message_json(row)
        if message["status"] == "streaming":
            message["last_event_id"] = events.answers.last_seq(ctx.db, message["id"])
        messages.append(message)
    if messages:
        messages[-1]["latest"] = True  # only the latest answer can be retried
    session_json = chat_rows.session_json(session)
    chosen = session_json["document_ids"]
    ready = [
        {**doc_repo.as_json(r), "chosen": chosen is None or r["id"] in chosen}
        for r in doc_repo.list_all(ctx.db, workspace)
        if r["status"] == "ready"
    ]
    questions = [m for m in messages if m["role"] == "user"]
    context = {
        **_shell(ctx, workspace, seen, session_id),
        "session": session_json,
        "messages": messages,
        "ready_documents": ready,
        "chosen_count": sum(d["chosen"] for d in ready),
        "every_document": chosen is None,
        "mode": questions[-1]["mode"] if questions else "chat",
        "max_message_chars": ctx.settings.max_message_chars,
        "too_long_message": MessageTooLong(ctx.settings.max_message_chars).message,
    }
    return page(request, "chat.html", context)
