"""The job that writes one answer: gather sources, stream the text, cite, finish."""

import asyncio
import logging

from web.chat import answer_log
from web.chat.answer_log import INTERNAL, INTERRUPTED
from web.chat.citations import cited
from web.chat.question import Question
from web.chat.research import no_evidence, research
from web.context import AppContext
from web.llm.errors import ProviderError
from web.llm.prompts import AnswerRequest
from web.retrieval import search

log = logging.getLogger("docchat.generation")


async def write_answer(ctx: AppContext, message_id: str, question: Question) -> None:
    try:
        request = await _gather(ctx, message_id, question)
        text = await _write(ctx, message_id, request)
        if citations := cited(text, request.passages):
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
        answer_log.finish(ctx, message_id, "done")


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


async def _write(ctx: AppContext, message_id: str, request: AnswerRequest) -> str:
    """Stream the answer into the log; returns its whole text."""
    if request.mode == "research" and not request.passages:
        text = no_evidence(request.sub_questions)  # nothing to go on: say so, don't invent
        answer_log.token(ctx, message_id, text)
        return text
    parts: list[str] = []
    async for text in ctx.answerer.stream(request):
        parts.append(text)
        answer_log.token(ctx, message_id, text)
    return "".join(parts)
