"""Answerers stream the text of an answer, token by token."""

import re
from collections.abc import AsyncIterator
from typing import Protocol

import openai

from web.llm.errors import from_openai
from web.llm.prompts import AnswerRequest, build_messages, source_label
from web.settings import Settings


class Answerer(Protocol):
    offline: bool

    def stream(self, request: AnswerRequest) -> AsyncIterator[str]: ...

    async def close(self) -> None: ...


class OpenAIAnswerer:
    """Any OpenAI-compatible chat completions endpoint, streamed."""

    offline = False

    def __init__(self, settings: Settings) -> None:
        self.model = settings.model
        self.client = openai.AsyncOpenAI(
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url,
            timeout=settings.openai_timeout_s,
            max_retries=settings.openai_max_retries,
        )

    async def stream(self, request: AnswerRequest) -> AsyncIterator[str]:
        try:
            response = await self.client.chat.completions.create(
                model=self.model, messages=build_messages(request), stream=True
            )
            try:
                async for chunk in response:
                    if chunk.choices and (text := chunk.choices[0].delta.content):
                        yield text
            finally:
                await response.close()  # also when stopped: the upstream stream ends too
        except openai.OpenAIError as exc:
            raise from_openai(exc) from exc

    async def close(self) -> None:
        await self.client.close()


class OfflineAnswerer:
    """Without an API key: stream the best-matching passages, clearly labelled."""

    offline = True

    async def stream(self, request: AnswerRequest) -> AsyncIterator[str]:
        for token in _tokens(offline_answer(request)):
            yield token

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
    return "\n".join(f"> {line}" for line in text.splitlines())


def _tokens(text: str) -> list[str]:
    return re.findall(r"\s*\S+", text)
