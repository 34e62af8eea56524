"""The job that writes one answer: gather sources, stream the text, cite, finish."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from web.chat import answer_log
from web.chat.answer_log import INTERNAL, INTERRUPTED
from web.chat.citations import cited
from web.chat.endings import status_for
from web.chat.question import Question
from web.chat.research import no_evidence, research
from web.context import AppContext
from web.llm.errors import ProviderError, cut_off
from web.llm.prompts import AnswerRequest
from web.retrieval import search

log = logging.getLogger("docchat.generation")


async def write_answer(ctx: AppContext, message_id: str, question: Question) -> None:
    await _run(ctx, message_id, lambda: _gather(ctx, message_id, question))


async def continue_answer(ctx: AppContext, message_id: str, request: AnswerRequest) -> None:
    """More of an answer that stopped at the length limit, appended to it."""

    async def as_before() -> AnswerRequest:
        return request

    await _run(ctx, message_id, as_before)


async def _run(
    ctx: AppContext, message_id: str, gather: Callable[[], Awaitable[AnswerRequest]]
) -> None:
    try:
        request = await gather()
        text, finish_reason = await _write(ctx, message_id, request)
        if citations := cited(request.partial + text, request.passages):
            answer_log.citations(ctx, message_id, citations)
    except ProviderError as err:
        log.warning("answer %s failed: %s (%s)", message_id, err.code, err.message)
        answer_log.finish(ctx, message_id, "error", err)
    except asyncio.CancelledError:
        if ctx.hub.stop_requested(message_id):
            answer_log.finish(ctx, message_id, "stopped")
        else:
            answer_log.finish(ctx, message_id, "interrupted", INTERRUPTED)
        raise
    except Exception:
        log.exception("answer %s crashed", message_id)
        answer_log.finish(ctx, message_id, "error", INTERNAL)
    else:
        status = status_for(finish_reason)
        # What a Continue will need: the same sources, numbered the same.
        sources = request if status == "length_limit" else None
        answer_log.finish(ctx, message_id, status, sources=sources)


async def _gather(ctx: AppContext, message_id: str, question: Question) -> AnswerRequest:
    if question.mode == "research":
        return await research(ctx, message_id, question)
    passages = search(
        ctx.db,
        question.workspace_id,
        question.content,
        question.document_ids,
        ctx.settings.context_passages,
    )
    return AnswerRequest(question.content, passages, "chat", question.history)


async def _write(ctx: AppContext, message_id: str, request: AnswerRequest) -> tuple[str, str]:
    """Stream the answer into the log; returns its text and the model's finish reason."""
    if request.mode == "research" and not request.passages:
        text = no_evidence(request.sub_questions)  # nothing to go on: say so, don't invent
        answer_log.token(ctx, message_id, text)
        return text, "stop"
    parts: list[str] = []
    finish_reason = None
    async for piece in ctx.answerer.stream(request):
        if piece.text:
            parts.append(piece.text)
            answer_log.token(ctx, message_id, piece.text)
        finish_reason = piece.finish_reason or finish_reason
    if finish_reason is None:
        raise cut_off()  # the stream just stopped: half an answer is not an answer
    return "".join(parts), finish_reason
