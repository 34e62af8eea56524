"""The job that writes one answer: gather sources, stream the text, cite, finish."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from web.chat.answer_log import INTERNAL, INTERRUPTED, AnswerLog, not_stored
from web.chat.citations import cited
from web.chat.endings import status_for
from web.chat.question import Question
from web.chat.research import no_evidence, research
from web.context import AppContext
from web.llm.errors import ProviderError, cut_off
from web.llm.prompts import AnswerRequest
from web.retrieval import search
from web.storage import STORAGE_ERRORS

log = logging.getLogger("docchat.generation")


async def write_answer(ctx: AppContext, message_id: str, question: Question) -> None:
    answer = AnswerLog(ctx, message_id)
    await _run(ctx, answer, lambda: _gather(ctx, answer, question))


async def continue_answer(ctx: AppContext, message_id: str, request: AnswerRequest) -> None:
    """More of an answer that stopped at the length limit, appended to it."""

    async def as_before() -> AnswerRequest:
        return request

    await _run(ctx, AnswerLog(ctx, message_id), as_before)


async def _run(
    ctx: AppContext, answer: AnswerLog, gather: Callable[[], Awaitable[AnswerRequest]]
) -> None:
    message_id = answer.message_id
    try:
        request = await gather()
        text, finish_reason = await _write(ctx, answer, request)
        if citations := cited(request.partial + text, request.passages):
            answer.citations(citations)
        status = status_for(finish_reason)
        # What a Continue will need: the same sources, numbered the same.
        answer.finish(status, sources=request if status == "length_limit" else None)
    except ProviderError as err:
        log.warning("answer %s failed: %s (%s)", message_id, err.code, err.message)
        answer.finish("error", err)
    except asyncio.CancelledError:
        if ctx.hub.stop_requested(message_id):
            answer.finish("stopped")
        else:
            answer.finish("interrupted", INTERRUPTED)
        raise
    except (*STORAGE_ERRORS, OSError) as exc:
        log.error("answer %s could not be stored: %s", message_id, exc)
        answer.finish("error", not_stored(exc))
    except Exception:
        log.exception("answer %s crashed", message_id)
        answer.finish("error", INTERNAL)


async def _gather(ctx: AppContext, answer: AnswerLog, question: Question) -> AnswerRequest:
    if question.mode == "research":
        return await research(ctx, answer, question)
    passages = search(
        ctx.db,
        question.workspace_id,
        question.content,
        question.document_ids,
        ctx.settings.context_passages,
    )
    return AnswerRequest(question.content, passages, "chat", question.history)


async def _write(ctx: AppContext, answer: AnswerLog, request: AnswerRequest) -> tuple[str, str]:
    """Stream the answer into the log; returns its text and the model's finish reason."""
    if request.mode == "research" and not request.passages:
        text = no_evidence(request.sub_questions)  # nothing to go on: say so, don't invent
        answer.token(text)
        return text, "stop"
    parts: list[str] = []
    finish_reason = None
    async for piece in ctx.answerer.stream(request):
        if piece.text:
            parts.append(piece.text)
            answer.token(piece.text)
        finish_reason = piece.finish_reason or finish_reason
    if finish_reason is None:
        raise cut_off()  # the stream just stopped: half an answer is not an answer
    return "".join(parts), finish_reason
