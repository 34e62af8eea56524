"""HTTP API for sessions and messages."""

from typing import Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel

from web.chat import repository as repo
from web.chat.generation import write_answer
from web.context import AppContext, Ctx, Workspace
from web.errors import AppError, NotFound
from web.llm.prompts import AnswerRequest
from web.retrieval import search

router = APIRouter(prefix="/api", tags=["chat"])

HISTORY_BUDGET_CHARS = 12_000


class NewSession(BaseModel):
    title: str | None = None


class NewMessage(BaseModel):
    content: str
    mode: Literal["chat", "research"] = "chat"


def owned_session(ctx: AppContext, workspace: str, session_id: str):
    session = repo.get_session(ctx.db, workspace, session_id)
    if session is None:
        raise NotFound("Chat session")
    return session


@router.post("/sessions", status_code=201)
async def create_session(body: NewSession, ctx: Ctx, workspace: Workspace) -> dict[str, Any]:
    return repo.session_json(repo.create_session(ctx.db, workspace, body.title))


@router.get("/sessions")
async def list_sessions(ctx: Ctx, workspace: Workspace) -> list[dict[str, Any]]:
    return [repo.session_json(row) for row in repo.list_sessions(ctx.db, workspace)]


@router.get("/sessions/{session_id}")
async def get_session(session_id: str, ctx: Ctx, workspace: Workspace) -> dict[str, Any]:
    session = owned_session(ctx, workspace, session_id)
    messages = [repo.message_json(row) for row in repo.messages(ctx.db, session_id)]
    return {**repo.session_json(session), "messages": messages}


@router.delete("/sessions/{session_id}", status_code=204)
async def delete_session(session_id: str, ctx: Ctx, workspace: Workspace) -> Response:
    owned_session(ctx, workspace, session_id)
    for message in repo.messages(ctx.db, session_id):
        await ctx.hub.stop(message["id"])
    ctx.db.run("DELETE FROM sessions WHERE id = ?", session_id)
    return Response(status_code=204)


@router.post("/sessions/{session_id}/messages", status_code=202)
async def send_message(
    session_id: str, body: NewMessage, ctx: Ctx, workspace: Workspace
) -> dict[str, Any]:
    session = owned_session(ctx, workspace, session_id)
    content = body.content.strip()
    if not content:
        raise AppError(422, "empty_message", "Type a message before sending.")
    limit = ctx.settings.max_message_chars
    if len(content) > limit:
        raise AppError(422, "message_too_long", f"Messages can be at most {limit:,} characters.")
    # No await from here to the insert: two racing sends cannot both pass this check.
    if repo.is_streaming(ctx.db, session_id):
        raise AppError(409, "reply_in_progress", "Wait for the current answer, or stop it.")
    doc_ids = repo.session_json(session)["document_ids"]
    request = AnswerRequest(
        question=content,
        passages=search(ctx.db, workspace, content, doc_ids, ctx.settings.context_passages),
        mode=body.mode,
        history=repo.history(ctx.db, session_id, HISTORY_BUDGET_CHARS),
    )
    user_id, assistant_id = repo.add_exchange(
        ctx.db, session, content, body.mode, ctx.answerer.offline
    )
    ctx.hub.start(assistant_id, write_answer(ctx, assistant_id, request))
    assistant = repo.message_json(repo.get_message_by_id(ctx.db, assistant_id))
    return {
        "session": repo.session_json(repo.get_session(ctx.db, workspace, session_id)),
        "user_message": repo.message_json(repo.get_message_by_id(ctx.db, user_id)),
        "assistant_message": assistant,
        "events_url": assistant["events_url"],
    }


@router.post("/messages/{message_id}/stop")
async def stop_message(message_id: str, ctx: Ctx, workspace: Workspace) -> dict[str, Any]:
    if repo.get_message(ctx.db, workspace, message_id) is None:
        raise NotFound("Message")
    await ctx.hub.stop(message_id)
    return repo.message_json(repo.get_message_by_id(ctx.db, message_id))
