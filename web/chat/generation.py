"""The job that writes one answer: gather sources, stream the text, cite, finish."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from web.chat.answer_log import INTERNAL, INTERRUPTED, AnswerLog, not_stored
from web.chat.citations import cited
from web.chat.endings import Said, ending
from web.chat.question import Question
from web.chat.research import no_evidence, research
from web.chat.waiting import documents_read
from web.context import AppContext
from web.llm.answerers import Piece
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
        said = await _write(ctx, answer, request)
        if citations := cited(request.partial + said.text, request.passages):
            answer.citations(citations)
        status, error = ending(said, request.partial)
        # What a Continue will need: the same sources, numbered the same.
        sources = request if status == "length_limit" else None
        await answer.finish(status, error, sources=sources, usage=said.usage)
    except ProviderError as err:
        log.warning("answer %s failed: %s (%s)", message_id, err.code, err.message)
        await answer.finish("error", err)
    except asyncio.CancelledError:
        if ctx.hub.stop_requested(message_id):
            await answer.finish("stopped")
        else:
            await answer.finish("interrupted", INTERRUPTED)
        raise
    except (*STORAGE_ERRORS, OSError) as exc:
        log.error("answer %s could not be stored: %s", message_id, exc)
        await answer.finish("error", not_stored(exc))
    except Exception:
        log.exception("answer %s crashed", message_id)
        await answer.finish("error", INTERNAL)


async def _gather(ctx: AppContext, answer: AnswerLog, question: Question) -> AnswerRequest:
    await documents_read(ctx, answer, question)
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


async def _write(ctx: AppContext, answer: AnswerLog, request: AnswerRequest) -> Said:
    """Stream the answer into the log; returns what the model said."""
    if request.mode == "research" and not request.passages:
        text = no_evidence(request.sub_questions)  # nothing to go on: say so, don't invent
        answer.token(text)
        return Said(text, "stop")
    parts: list[str] = []
    said = Said()
    heard = False
    async for piece in ctx.answerer.stream(request):
        if piece.reasoning:
            answer.reasoning(piece.reasoning)
        if text := piece.text + piece.refusal:  # a refusal's words are its answer's text
            parts.append(text)
            answer.token(text)
        _note(said, piece)
        if not heard and (piece.reasoning or text):
            heard = True
            await answer.sent()
    if said.finish_reason is None:
        raise cut_off()  # the stream just stopped: half an answer is not an answer
    said.text = "".join(parts)
    return said


def _note(said: Said, piece: Piece) -> None:
    """What a piece tells of how the answer ends: the last word counts, a refusal or a
    call of a tool anywhere in it."""
    said.finish_reason = piece.finish_reason or said.finish_reason
    said.refused = said.refused or bool(piece.refusal)
    said.used_tool = said.used_tool or piece.tool_call
    said.usage = piece.usage or said.usage
