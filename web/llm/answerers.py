"""Answerers stream the text of an answer, token by token, and plan deep research."""

import asyncio
import functools
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import openai

from web.llm.errors import (
    CALL_FAILURES,
    ProviderError,
    error_in_stream,
    from_openai,
    mid_stream,
    plan_cut_off,
    plan_filtered,
    should_retry,
)
from web.llm.prompts import (
    PLAN_FORMS,
    PLAN_RESPONSE_FORMATS,
    AnswerRequest,
    build_messages,
    build_plan_messages,
    source_label,
)
from web.settings import Settings
from web.storable_text import storable

log = logging.getLogger("docchat.llm")
T = TypeVar("T")


@dataclass
class Piece:
    """What one chunk of a streamed answer says: its next text, the model's reasoning
    before it, the words of a refusal, a call of a tool, the tokens it cost (servers send
    that at the end, asked or not), and, at its end, how the model finished it."""

    text: str = ""
    reasoning: str = ""
    refusal: str = ""
    tool_call: bool = False
    usage: dict[str, int] | None = None
    finish_reason: str | None = None  # "stop", "length", "content_filter", "tool_calls", …


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
        # How this server takes requests, learnt from its refusals (see _first_accepted):
        # the first of the ways to ask for a plan (PLAN_FORMS) and for an answer (with
        # usage, without) that it has not refused.
        self._plan_form = 0
        self._usage_ask = 0

    async def stream(self, request: AnswerRequest) -> AsyncIterator[Piece]:
        asks = [functools.partial(self._open_stream, request, usage) for usage in (True, False)]
        self._usage_ask, response = await self._first_accepted(asks, self._usage_ask)
        try:
            async for chunk in response:
                if error := chunk.get("error"):
                    raise error_in_stream(error)
                if piece := _piece(chunk):
                    yield piece
        except Exception as exc:
            if (error := mid_stream(exc)) is None:
                raise
            raise error from exc
        finally:
            await response.close()  # also when stopped: the upstream stream ends too

    def _open_stream(
        self, request: AnswerRequest, usage: bool
    ) -> Awaitable[openai.AsyncStream[Any]]:
        """The completion's stream, each chunk the JSON the service sent. The SDK still
        sends, authenticates, decodes the SSE and raises the errors; building its typed
        model of every chunk (`stream=True` on `chat.completions.create`) was half the
        server's CPU per token. `client.post` is the SDK's documented way to call an
        endpoint with a shape of one's own. `usage`: ask for the tokens it cost, which
        some servers refuse to be asked (Azure's older API versions answer 400)."""
        body = {"model": self.model, "messages": build_messages(request), "stream": True}
        if usage:
            body["stream_options"] = {"include_usage": True}
        return self.client.post(
            "/chat/completions",
            body=body,
            cast_to=object,
            # An error in the stream comes as a chunk, for `stream` to raise: raised inside
            # the SDK's generators, it left theirs and httpx's to be closed whenever the
            # garbage collector came by, which now and then failed ("async generator
            # already executing").
            options={"stream_mode": "events"},
            stream=True,
            stream_cls=openai.AsyncStream[Any],
        )

    async def plan(self, question: str, history: list[dict[str, str]], limit: int) -> list[str]:
        asks = [
            functools.partial(self._ask_plan, question, history, limit, form) for form in PLAN_FORMS
        ]
        self._plan_form, completion = await self._first_accepted(asks, self._plan_form)
        choice = completion.choices[0]
        if choice.finish_reason == "content_filter":
            raise plan_filtered()
        if choice.finish_reason in (None, "length"):  # half a plan is no plan
            raise plan_cut_off()
        return parse_plan(choice.message.content, question, limit)

    def _ask_plan(
        self, question: str, history: list[dict[str, str]], limit: int, form: str
    ) -> Awaitable[Any]:
        response_format = PLAN_RESPONSE_FORMATS.get(form)
        return self.client.chat.completions.create(  # type: ignore[call-overload, no-any-return]
            # The SDK types each message and response format as its own TypedDicts; ours
            # are plain dicts of the same shape (build_plan_messages, PLAN_RESPONSE_FORMATS).
            model=self.model,
            messages=build_plan_messages(question, history, limit, form),
            **({"response_format": response_format} if response_format else {}),
        )

    async def _first_accepted(
        self, asks: Sequence[Callable[[], Awaitable[T]]], start: int
    ) -> tuple[int, T]:
        """The first of these ways of asking the same thing, from `start` on, that the
        server accepts, and which it was: servers that refuse an option of a request
        (structured output, usage) answer 400 or 422, and one that does so is not asked
        that way again by this process. A refusal of every way is the last one's error."""
        for index in range(start, len(asks)):
            try:
                return index, await self._with_retries(asks[index])
            except ProviderError as error:
                if error.code != "bad_request" or index == len(asks) - 1:
                    raise
                log.info("the model service refused a request (%s); asking another way", error)
        raise AssertionError("no way of asking")  # pragma: no cover (start < len(asks))

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
    """What the chunk's first choice says, and its usage, if it says anything. A chunk of
    another shape raises (TypeError, KeyError…): the answer fails as on any crash.

    Reasoning comes as `reasoning_content` (DeepSeek, llama.cpp, LM Studio, LiteLLM, older
    vLLM) or `reasoning` (Ollama, OpenRouter, newer vLLM, which for a while sent both);
    usage in a chunk of its own with no choices (OpenAI, vLLM, Ollama) or in the last."""
    usage = _usage(chunk.get("usage"))
    piece = Piece(usage=usage)
    for choice in chunk["choices"][:1]:
        delta = choice.get("delta") or {}
        piece = Piece(
            text=storable(delta.get("content") or ""),
            reasoning=storable(delta.get("reasoning_content") or delta.get("reasoning") or ""),
            refusal=storable(delta.get("refusal") or ""),
            tool_call=bool(delta.get("tool_calls") or delta.get("function_call")),
            usage=usage,
            finish_reason=choice.get("finish_reason"),
        )
    return None if piece == Piece() else piece


def _usage(usage: Any) -> dict[str, int] | None:
    """The tokens an answer cost: its prompt's, its completion's, and how many of those
    were reasoning, where the server counts them."""
    names = ("prompt_tokens", "completion_tokens")
    if not isinstance(usage, dict) or not all(isinstance(usage.get(n), int) for n in names):
        return None  # none yet (OpenAI's `"usage": null` before the last chunk), or unreadable
    counts = {name: usage[name] for name in names}
    reasoning = (usage.get("completion_tokens_details") or {}).get("reasoning_tokens")
    if isinstance(reasoning, int) and reasoning:
        counts["reasoning_tokens"] = reasoning
    return counts


# A line of a plan written as a list: "- A?", "* A?", "1. A?" or "1) A?".
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+(.+?)\s*$", re.MULTILINE)


def parse_plan(content: str | None, question: str, limit: int) -> list[str]:
    """The planner's sub-questions, from the JSON asked for or, where a server could not
    be asked for JSON, from a list; the question itself if the plan is unusable."""
    content = content or ""
    try:
        items = json.loads(content)["sub_questions"]
    except (ValueError, KeyError, TypeError):
        items = _LIST_ITEM.findall(content)
    questions = [storable(q).strip() for q in items if isinstance(q, str)]
    if not any(questions):
        log.warning("unusable research plan: %r", content)
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
