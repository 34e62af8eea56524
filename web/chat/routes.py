"""HTTP API for sessions and messages."""

import functools
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response
from pydantic import AfterValidator, BaseModel, Field
from pydantic_core import PydanticCustomError

from web.api_models import AnswerStarted, Message, MessageSent, Session, SessionWithMessages, errors
from web.chat import repository as repo
from web.chat import rows
from web.chat.display import message_json
from web.chat.generation import continue_answer, write_answer
from web.chat.question import Question
from web.chat.rendering import with_html
from web.context import AppContext, Ctx, Workspace
from web.documents import repository as doc_repo
from web.errors import AppError, MessageTooLong, NotFound
from web.storable_text import NUL
from web.storage import Row
from web.streams import events
from web.streams.hub import STOP

router = APIRouter(prefix="/api", tags=["chat"])

TITLE_MAX_CHARS = 120


def _storable(text: str) -> str:
    # JSON can carry NUL, which PostgreSQL cannot hold, and a lone surrogate ("\ud800"),
    # which UTF-8 (so SQLite too) cannot. Refused, rather than changed behind the sender.
    if NUL in text:
        raise PydanticCustomError("nul", "Input should be text without NUL characters")
    try:
        text.encode()
    except UnicodeEncodeError:
        raise PydanticCustomError(
            "unicode", "Input should be valid Unicode text (it has an unpaired surrogate)"
        ) from None
    return text


Text = Annotated[str, AfterValidator(_storable)]


class NewSession(BaseModel):
    title: Text | None = None


class SessionChanges(BaseModel):
    title: Text | None = None
    document_ids: list[Text] | None = Field(
        default=None, description="The documents this chat uses; null for every ready one."
    )


class NewMessage(BaseModel):
    content: Text
    mode: Literal["chat", "research"] = "chat"


def owned_session(ctx: AppContext, workspace: str, session_id: str) -> Row:
    session = rows.get_session(ctx.db, workspace, session_id)
    if session is None:
        raise NotFound("Chat session")
    return session


@router.post(
    "/sessions", status_code=201, response_model=Session, responses=errors(403, 413, 422, 507)
)
async def create_session(body: NewSession, ctx: Ctx, workspace: Workspace) -> dict[str, Any]:
    return repo.create_session(ctx.db, workspace, body.title)


@router.get("/sessions", response_model=list[Session])
async def list_sessions(ctx: Ctx, workspace: Workspace) -> list[dict[str, Any]]:
    return [rows.session_json(row) for row in rows.list_sessions(ctx.db, workspace)]


@router.get(
    "/sessions/{session_id}", response_model=SessionWithMessages, responses=errors(404, 422)
)
async def get_session(session_id: str, ctx: Ctx, workspace: Workspace) -> dict[str, Any]:
    session = owned_session(ctx, workspace, session_id)
    shown = await with_html(ctx, rows.messages(ctx.db, session_id))
    return {**rows.session_json(session), "messages": [message_json(row) for row in shown]}


@router.patch(
    "/sessions/{session_id}", response_model=Session, responses=errors(403, 404, 413, 422, 507)
)
async def update_session(
    session_id: str, body: SessionChanges, ctx: Ctx, workspace: Workspace
) -> dict[str, Any]:
    owned_session(ctx, workspace, session_id)
    changes: dict[str, Any] = {}
    if "title" in body.model_fields_set:
        title = (body.title or "").strip()
        if not title or len(title) > TITLE_MAX_CHARS:
            raise AppError(
                422, "invalid_title", f"A chat name needs 1 to {TITLE_MAX_CHARS} characters."
            )
        changes["title"] = title
    if "document_ids" in body.model_fields_set:
        ids = body.document_ids
        if ids is not None:
            ids = list(dict.fromkeys(ids))
            if any(doc_repo.get(ctx.db, workspace, i) is None for i in ids):
                raise NotFound("Document")
        changes["document_ids"] = ids
    if changes:
        repo.update_session(ctx.db, session_id, **changes)
    return rows.session_json(rows.the_session(ctx.db, workspace, session_id))


@router.delete("/sessions/{session_id}", status_code=204, responses=errors(403, 404, 422, 507))
async def delete_session(session_id: str, ctx: Ctx, workspace: Workspace) -> Response:
    owned_session(ctx, workspace, session_id)
    for message in rows.messages(ctx.db, session_id):
        if message["status"] == "streaming":
            await _stop(ctx, message["id"])
    repo.delete_session(ctx.db, workspace, session_id)
    return Response(status_code=204)


@router.post(
    "/sessions/{session_id}/messages",
    status_code=202,
    response_model=MessageSent,
    responses=errors(403, 404, 409, 413, 422, 507),
)
async def send_message(
    session_id: str, body: NewMessage, ctx: Ctx, workspace: Workspace
) -> dict[str, Any]:
    session = owned_session(ctx, workspace, session_id)
    content = body.content.strip()
    if not content:
        raise AppError(422, "empty_message", "Type a message before sending.")
    if len(content) > ctx.settings.max_message_chars:
        raise MessageTooLong(ctx.settings.max_message_chars)
    history = repo.history(ctx.db, session_id, ctx.settings.history_budget_chars)
    chat, started = repo.add_exchange(
        ctx.db, session, content, body.mode, ctx.answerer.offline, ctx.lease.id
    )
    answer_id = started["answer"]["id"]
    question = _question(session, workspace, content, body.mode, history)
    ctx.hub.start(answer_id, write_answer(ctx, answer_id, question))
    return {"session": chat, "user_message": started["question"], **_answer_json(started)}


@router.post(
    "/messages/{message_id}/retry",
    status_code=202,
    response_model=AnswerStarted,
    responses=errors(403, 404, 409, 422, 507),
)
async def retry_message(message_id: str, ctx: Ctx, workspace: Workspace) -> dict[str, Any]:
    """A fresh answer to the same question, in place of the last one."""
    answer = rows.get_message(ctx.db, workspace, message_id)
    if answer is None or answer["role"] != "assistant":
        raise NotFound("Message")
    if answer["status"] == "streaming":
        raise AppError(409, "reply_in_progress", "This answer is still being written.")
    if not rows.is_last_message(ctx.db, answer):
        raise AppError(409, "not_last", "Only the latest answer in a chat can be retried.")
    session = owned_session(ctx, workspace, answer["session_id"])
    question = rows.question_for(ctx.db, answer)
    history = repo.history(ctx.db, session["id"], ctx.settings.history_budget_chars, question["id"])
    started = repo.replace_answer(ctx.db, answer, ctx.answerer.offline, ctx.lease.id)
    answer_id = started["answer"]["id"]
    job = _question(session, workspace, question["content"], answer["mode"], history)
    ctx.hub.start(answer_id, write_answer(ctx, answer_id, job))
    return _answer_json(started)


@router.post(
    "/messages/{message_id}/continue",
    status_code=202,
    response_model=AnswerStarted,
    responses=errors(403, 404, 409, 422, 507),
)
async def continue_message(message_id: str, ctx: Ctx, workspace: Workspace) -> dict[str, Any]:
    """Ask the model to go on with an answer that stopped at its length limit."""
    answer = rows.get_message(ctx.db, workspace, message_id)
    if answer is None or answer["role"] != "assistant":
        raise NotFound("Message")
    if answer["status"] != "length_limit":
        raise AppError(
            409, "not_continuable", "Only an answer that reached the length limit can go on."
        )
    request = repo.continuation(ctx.db, answer, ctx.settings.history_budget_chars)
    started = repo.reopen_answer(ctx.db, answer, ctx.lease.id)
    ctx.hub.start(message_id, continue_answer(ctx, message_id, request))
    return _answer_json(started)


@router.post(
    "/messages/{message_id}/stop", response_model=Message, responses=errors(403, 404, 422, 507)
)
async def stop_message(message_id: str, ctx: Ctx, workspace: Workspace) -> dict[str, Any]:
    if rows.get_message(ctx.db, workspace, message_id) is None:
        raise NotFound("Message")
    await _stop(ctx, message_id)
    [stopped] = await with_html(ctx, [rows.get_message_by_id(ctx.db, message_id)])
    return message_json(stopped)


async def _stop(ctx: AppContext, message_id: str) -> None:
    """Stops the answer wherever it is being written, once its ending is stored."""
    if not await ctx.hub.stop(message_id) and rows.is_being_written(ctx.db, message_id):
        await _stop_elsewhere(ctx, message_id)


async def _stop_elsewhere(ctx: AppContext, message_id: str) -> None:
    """Asks the process writing the answer to stop it, and waits for its ending: stored
    by that process, or, were it to die meanwhile, by the one that finds its lease gone."""
    ctx.db.notify_all(STOP + message_id)
    after = events.answers.last_seq(ctx.db, message_id)
    written = functools.partial(rows.is_being_written, ctx.db, message_id)
    async for _ in ctx.hub.subscribe(message_id, after, written):
        pass


def _question(
    session: Row, workspace: str, content: str, mode: str, history: list[dict[str, str]]
) -> Question:
    document_ids = rows.session_json(session)["document_ids"]
    return Question(content, mode, workspace, document_ids, history)


def _answer_json(started: dict[str, Any]) -> dict[str, Any]:
    """An answer that started, as its workspace heard of it (repository.py's writes)."""
    answer = started["answer"]
    return {"assistant_message": answer, "events_url": answer["events_url"]}
