"""Answerers stream the text of an answer, token by token, and plan deep research."""

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import openai

from web.llm.errors import (
    CALL_FAILURES,
    from_openai,
    mid_stream,
    plan_cut_off,
    plan_filtered,
    should_retry,
)
from web.llm.prompts import (
    PLAN_FORMAT,
    AnswerRequest,
    build_messages,
    build_plan_messages,
    source_label,
)
from web.settings import Settings
from web.storable import storable

log = logging.getLogger("docchat.llm")
T = TypeVar("T")


@dataclass
class Piece:
    """The next text of a streamed answer, and, at its end, how the model finished it."""

    text: str = ""
    finish_reason: str | None = None  # "stop", "length", "content_filter", …


class Answerer(Protocol):
    offline: bool

    def stream(self, request: AnswerRequest) -> AsyncIterator[Piece]:
        """The answer's pieces; one says how it finished, unless the stream was cut."""
        ...

    async def plan(self, question: str, history: list[dict[str, str]], limit: int) -> list[str]:
        """Sub-questions that together answer the question (at most `limit`)."""
        ...

    async def close(self) -> None: ...


class OpenAIAnswerer:
    """Any OpenAI-compatible chat completions endpoint, streamed."""

    offline = False

    def __init__(self, settings: Settings) -> None:
        self.model = settings.model
        self.settings = settings
        self.client = openai.AsyncOpenAI(
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url,
            timeout=settings.openai_timeout_s,
            max_retries=0,  # retried in _with_retries, where the waits are ours to bound
        )

    async def stream(self, request: AnswerRequest) -> AsyncIterator[Piece]:
        response = await self._with_retries(lambda: self._open_stream(request))
        try:
            async for chunk in response:
                if piece := _piece(chunk):
                    yield piece
        except Exception as exc:
            if (error := mid_stream(exc)) is None:
                raise
            raise error from exc
        finally:
            await response.close()  # also when stopped: the upstream stream ends too

    def _open_stream(self, request: AnswerRequest) -> Awaitable[openai.AsyncStream[Any]]:
        """The completion's stream, each chunk the JSON the service sent. The SDK still
        sends, authenticates, decodes the SSE and raises the errors; building its typed
        model of every chunk (`stream=True` on `chat.completions.create`) was half the
        server's CPU per token. `client.post` is the SDK's documented way to call an
        endpoint with a shape of one's own."""
        return self.client.post(
            "/chat/completions",
            body={"model": self.model, "messages": build_messages(request), "stream": True},
            cast_to=object,
            stream=True,
            stream_cls=openai.AsyncStream[Any],
        )

    async def plan(self, question: str, history: list[dict[str, str]], limit: int) -> list[str]:
        completion = await self._with_retries(
            lambda: self.client.chat.completions.create(
                model=self.model,
                messages=build_plan_messages(question, history, limit),
                response_format=PLAN_FORMAT,
            )
        )
        choice = completion.choices[0]
        if choice.finish_reason == "content_filter":
            raise plan_filtered()
        if choice.finish_reason in (None, "length"):  # half a plan is no plan
            raise plan_cut_off()
        return parse_plan(choice.message.content, question, limit)

    async def close(self) -> None:
        await self.client.close()

    async def _with_retries(self, call: Callable[[], Awaitable[T]]) -> T:
        """The call, retried with exponential backoff while its failure is transient."""
        settings = self.settings
        attempt = 0
        while True:
            try:
                return await call()
            except CALL_FAILURES as exc:
                error = from_openai(exc)
                wait = error.retry_after
                if wait is None:
                    wait = settings.openai_retry_base_s * 2**attempt
                retry = should_retry(exc)  # the server's word, else ours
                if retry is None:
                    retry = error.retryable
                give_up = attempt >= settings.openai_max_retries
                if not retry or give_up or wait > settings.openai_retry_max_wait_s:
                    raise error from exc
                log.info("model call failed (%s); retry %d in %.2fs", error.code, attempt + 1, wait)
                await asyncio.sleep(wait)
                attempt += 1


def _piece(chunk: Any) -> Piece | None:
    """The first choice's new text and finish reason, if the chunk has either. A chunk of
    another shape raises (TypeError, KeyError…): the answer fails as on any crash."""
    for choice in chunk["choices"][:1]:
        text = (choice.get("delta") or {}).get("content")
        finish_reason = choice.get("finish_reason")
        if text or finish_reason:
            return Piece(storable(text or ""), finish_reason)
    return None


def parse_plan(content: str | None, question: str, limit: int) -> list[str]:
    """The planner's sub-questions; the question itself if the plan is unusable."""
    try:
        items = json.loads(content or "")["sub_questions"]
        questions = [storable(q).strip() for q in items if isinstance(q, str)]
    except (ValueError, KeyError, TypeError):
        log.warning("unusable research plan: %r", content)
        questions = []
    return list(dict.fromkeys(filter(None, questions)))[:limit] or [question]


class OfflineAnswerer:
    """Without an API key: stream the best-matching passages, clearly labelled."""

    offline = True

    async def stream(self, request: AnswerRequest) -> AsyncIterator[Piece]:
        for token in _tokens(offline_answer(request)):
            yield Piece(token)
        yield Piece(finish_reason="stop")  # it always says all it has

    async def plan(self, question: str, history: list[dict[str, str]], limit: int) -> list[str]:
        return [question]

    async def close(self) -> None:
        return None


def offline_answer(request: AnswerRequest) -> str:
    intro = "**Offline answer** — no OpenAI API key is configured, so DocChat cannot"
    if not request.passages:
        return (
            f"{intro} write an answer, and no passage in your documents matches the question. "
            "Upload documents, or set `DOCCHAT_OPENAI_API_KEY` for real answers."
        )
    quotes = "\n\n".join(
        f"{source_label(n, p)}\n\n{_blockquote(p.text)}" for n, p in enumerate(request.passages, 1)
    )
    return f"{intro} write an answer. These passages match your question best:\n\n{quotes}"


def _blockquote(text: str) -> str:
    """The passage as a Markdown quote of its own lines, read as text: every ASCII
    punctuation mark escaped (CommonMark lets any be), each line ending in a hard break."""
    return "\n".join(f"> {_as_text(line.strip())}  " for line in text.splitlines())


def _as_text(line: str) -> str:
    return re.sub(r"[!-/:-@\[-`{-~]", r"\\\g<0>", line)


def _tokens(text: str) -> list[str]:
    return re.findall(r"\s*\S+", text)
