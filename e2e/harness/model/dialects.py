"""How each OpenAI-compatible server streams an answer: the model stand-in's dialects.

Servers agree on `data: {chat.completion.chunk}` events and differ in the rest: what
comes before the first text, where reasoning goes, how the last chunk looks, when and
where usage comes, and which options of a request they refuse. Each dialect sends what
its server sends, and says where that was read (its documentation, source or logs of it
published by its users). The mock (e2e/harness/model/openai_mock.py) plays a scripted answer through
one of them: `openai_mock.speak("vllm")`.
"""

import json
import re
from dataclasses import dataclass
from typing import Any, ClassVar

MODEL = "gpt-4o-mini"
# What a scripted answer is made of: its text, its reasoning, or the words of a refusal.
KINDS = ("content", "reasoning", "refusal")
# A call of a tool, as OpenAI streams one (DocChat offers none; models may call one all
# the same, from a server's own template or a proxy's tools).
TOOL_CALL = {
    "index": 0,
    "id": "call_0",
    "type": "function",
    "function": {"name": "search_documents", "arguments": '{"query": "Zembla"}'},
}


@dataclass
class Refused:
    """A request the server refuses for an option it does not take: status and body."""

    status: int
    body: Any


def event(data: Any) -> bytes:
    return f"data: {json.dumps(data)}\n\n".encode()


def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
    """A chunk in OpenAI's own shape (the benchmarks' model server streams these)."""
    return OpenAI().chunk(delta, finish_reason)


def usage_of(request_body: dict[str, Any], kinds: list[str]) -> dict[str, Any]:
    """What a server counts for an answer: the prompt's words as its tokens, and one
    token per scripted piece (its reasoning's among them)."""
    prompt = " ".join(m.get("content") or "" for m in request_body.get("messages", []))
    return {
        "prompt_tokens": len(re.findall(r"\S+", prompt)),
        "completion_tokens": len(kinds),
        "total_tokens": len(re.findall(r"\S+", prompt)) + len(kinds),
        "reasoning_tokens": kinds.count("reasoning"),
    }


class OpenAI:
    """OpenAI's own API: a first chunk with the role, `refusal` deltas for a refusal, an
    empty delta with the finish reason, and with `stream_options.include_usage` a last
    chunk with no choices and the usage (every chunk before carries `"usage": null`).
    Source: the API reference, "The chat completion chunk object" and "stream_options"."""

    name = "openai"
    reasoning_field: str | None = None  # Chat Completions streams no reasoning text
    sends_usage = "asked"  # "asked" (stream_options), "always", or "never"
    reasoning_details = True  # usage counts reasoning tokens apart
    finishes_with_last_text = False  # the last text and the finish reason in one chunk

    def refuses(self, body: dict[str, Any]) -> Refused | None:
        """The error this server answers a request with an option it lacks, if any."""
        return None

    def chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        return {
            "id": "chatcmpl-mock",
            "object": "chat.completion.chunk",
            "created": 1_700_000_000,
            "model": MODEL,
            "system_fingerprint": "fp_mock",
            "choices": [
                {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
            ],
        }

    def begin(self) -> list[bytes]:
        return [event(self.chunk({"role": "assistant", "content": "", "refusal": None}))]

    def piece(self, kind: str, text: str, finish_reason: str | None = None) -> bytes:
        field = self.reasoning_field if kind == "reasoning" else kind
        assert field, f"{self.name} streams no reasoning"
        return event(self.chunk({field: text}, finish_reason))

    def tool_call(self) -> bytes:
        return event(self.chunk({"tool_calls": [TOOL_CALL]}))

    def end(self, finish_reason: str | None, usage: dict[str, Any] | None) -> list[bytes]:
        """The last chunk (none when the last text carried the finish reason), the usage
        where it is sent, and `[DONE]`."""
        last = [event(self.chunk({}, finish_reason))] if finish_reason else []
        return [*last, *self.usage(usage), b"data: [DONE]\n\n"]

    def usage(self, usage: dict[str, Any] | None) -> list[bytes]:
        if usage is None:
            return []
        return [event({**self.chunk({}), "choices": [], "usage": self.usage_json(usage)})]

    def usage_json(self, usage: dict[str, Any]) -> dict[str, Any]:
        counts = {k: v for k, v in usage.items() if k != "reasoning_tokens"}
        if self.reasoning_details:
            counts["completion_tokens_details"] = {"reasoning_tokens": usage["reasoning_tokens"]}
        return counts

    def usage_for(self, body: dict[str, Any], kinds: list[str]) -> dict[str, Any] | None:
        """The usage this server sends for an answer of these pieces, if any."""
        asked = (body.get("stream_options") or {}).get("include_usage")
        sends = self.sends_usage == "always" or (self.sends_usage == "asked" and asked)
        return usage_of(body, kinds) if sends else None


class Azure(OpenAI):
    """Azure OpenAI: a first chunk with no choices and the prompt's content filter
    results, then OpenAI's chunks, each choice with its own filter results. API versions
    before 2024-09-01-preview refuse `stream_options` ("Unrecognized request argument
    supplied"). Sources: Microsoft Learn, "Content filtering" (streaming) and the Q&A
    "empty choices array" thread; the openai-python issues on stream_options with Azure."""

    name = "azure"
    FILTERS: ClassVar[dict[str, dict[str, Any]]] = {
        category: {"filtered": False, "severity": "safe"}
        for category in ("hate", "self_harm", "sexual", "violence")
    }

    def refuses(self, body: dict[str, Any]) -> Refused | None:
        if "stream_options" not in body:
            return None
        return Refused(
            400,
            {
                "error": {
                    "message": "Unrecognized request argument supplied: stream_options",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": None,
                }
            },
        )

    def chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        data = super().chunk(delta, finish_reason)
        data["choices"][0]["content_filter_results"] = self.FILTERS if delta else {}
        return data

    def begin(self) -> list[bytes]:
        prompt_filter = {
            "choices": [],
            "created": 0,
            "id": "",
            "model": "",
            "object": "",
            "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": self.FILTERS}],
        }
        return [event(prompt_filter), *super().begin()]


class Ollama(OpenAI):
    """Ollama's /v1: every delta carries the role, reasoning in `reasoning`, the last
    text in the same chunk as the finish reason, usage (asked) in a chunk of its own,
    fingerprint "fp_ollama". Source: ollama/ollama openai/openai.go (toChunk), and its
    users' logs of /v1/chat/completions streams."""

    name = "ollama"
    reasoning_field = "reasoning"
    reasoning_details = False
    finishes_with_last_text = True

    def chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        data = super().chunk({"role": "assistant", "content": "", **delta}, finish_reason)
        data["system_fingerprint"] = "fp_ollama"
        del data["choices"][0]["logprobs"]
        return data

    def begin(self) -> list[bytes]:
        return []  # the first chunk already has text


class Vllm(OpenAI):
    """vLLM with a reasoning parser (DeepSeek-R1, QwQ, Qwen3): reasoning in `reasoning`
    deltas before the text (`reasoning_content` until it was renamed), `stop_reason`
    beside the finish reason, usage (asked) in a chunk of its own with no details.
    Source: vllm-project/vllm docs/features/reasoning_outputs.md and
    vllm/entrypoints/openai/serving_chat.py."""

    name = "vllm"
    reasoning_field = "reasoning"
    reasoning_details = False

    def chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        data = super().chunk(delta, finish_reason)
        del data["system_fingerprint"]
        data["choices"][0]["stop_reason"] = None
        return data

    def begin(self) -> list[bytes]:
        return [event(self.chunk({"role": "assistant", "content": ""}))]


class OpenRouter(OpenAI):
    """OpenRouter: SSE comments (": OPENROUTER PROCESSING") while the model starts,
    reasoning in `reasoning`, the upstream provider named in each chunk, and a native
    finish reason beside OpenAI's. Source: openrouter.ai/docs api-reference/streaming
    and guides/best-practices/reasoning-tokens."""

    name = "openrouter"
    reasoning_field = "reasoning"

    def chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        data = super().chunk(delta, finish_reason)
        data["id"] = "gen-mock"
        data["provider"] = "DeepInfra"
        data["choices"][0]["native_finish_reason"] = finish_reason
        return data

    def begin(self) -> list[bytes]:
        return [b": OPENROUTER PROCESSING\n\n"] * 2 + super().begin()


class LlamaCpp(OpenAI):
    """llama.cpp's llama-server: a first delta with `"content": null`, reasoning in
    `reasoning_content`, and the last chunk (an empty delta with the finish reason)
    carrying the usage and the server's timings whether asked or not. Source:
    ggml-org/llama.cpp tools/server (server.cpp, to_json_oaicompat_chat_stream), and
    llama-server streams logged by its users (build b6097)."""

    name = "llamacpp"
    reasoning_field = "reasoning_content"
    sends_usage = "always"
    reasoning_details = False

    def chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        data = super().chunk(delta, finish_reason)
        data["system_fingerprint"] = "b6097-9515c613"
        del data["choices"][0]["logprobs"]
        return data

    def begin(self) -> list[bytes]:
        return [event(self.chunk({"role": "assistant", "content": None}))]

    def end(self, finish_reason: str | None, usage: dict[str, Any] | None) -> list[bytes]:
        last = self.chunk({}, finish_reason)
        if usage is not None:
            last["usage"] = self.usage_json(usage)
            last["timings"] = {"prompt_n": usage["prompt_tokens"], "prompt_ms": 1.0}
        return [event(last), b"data: [DONE]\n\n"]


class LmStudio(OpenAI):
    """LM Studio's server: reasoning in `reasoning_content` (its "separate reasoning"
    setting, on by default), no usage in a stream, and structured output only to a
    schema: JSON mode is refused with an error that is a bare string. Sources:
    lmstudio.ai/docs (OpenAI compatibility, structured output) and
    lmstudio-ai/lmstudio-bug-tracker issues 169 and 189."""

    name = "lmstudio"
    reasoning_field = "reasoning_content"
    sends_usage = "never"
    reasoning_details = False

    def refuses(self, body: dict[str, Any]) -> Refused | None:
        if (body.get("response_format") or {}).get("type") != "json_object":
            return None
        return Refused(400, {"error": "'response_format.type' must be 'json_schema' or 'text'"})


class LiteLLM(OpenAI):
    """A LiteLLM proxy: chunks of its own making whatever the model behind it sent (no
    finish_reason but in the last, no fingerprint), reasoning as `reasoning_content`
    (its name for every provider's), usage (asked) in a chunk whose one choice has an
    empty delta, with its own count of reasoning and text tokens and a cost, and a
    model's refusal dropped. In front of a model without structured output it refuses
    `response_format` with its UnsupportedParamsError, unless `drop_params` is set.
    Sources: streams of litellm 1.108.7's proxy (`litellm --config`) in front of this
    stand-in, read by hand; BerriAI/litellm issues 2275 and 14056 for the refusal."""

    name = "litellm"
    reasoning_field = "reasoning_content"

    def refuses(self, body: dict[str, Any]) -> Refused | None:
        if "response_format" not in body:
            return None
        message = (
            "litellm.UnsupportedParamsError: ollama_chat does not support parameters: "
            "['response_format'], for model=qwen3. To drop these, set "
            "`litellm.drop_params=True` or for proxy:\n\n`litellm_settings:\n drop_params: true`\n"
        )
        error = {"message": message, "type": "invalid_request_error", "param": None, "code": "400"}
        return Refused(400, {"error": error})

    def chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        choice: dict[str, Any] = {"index": 0, "delta": delta}
        if finish_reason:
            choice["finish_reason"] = finish_reason
        return {
            "id": "chatcmpl-mock",
            "created": 1_700_000_000,
            "model": "docchat-model",
            "object": "chat.completion.chunk",
            "choices": [choice],
        }

    def begin(self) -> list[bytes]:
        return [event(self.chunk({"role": "assistant", "content": ""}))]

    def piece(self, kind: str, text: str, finish_reason: str | None = None) -> bytes:
        assert kind != "refusal", "LiteLLM drops a model's refusal: script no text instead"
        return super().piece(kind, text, finish_reason)

    def usage(self, usage: dict[str, Any] | None) -> list[bytes]:
        if usage is None:
            return []
        counts = self.usage_json(usage)
        written = usage["completion_tokens"] - usage["reasoning_tokens"]
        counts["completion_tokens_details"]["text_tokens"] = written
        return [event({**self.chunk({}), "usage": {**counts, "cost": 1.5e-06}})]


SERVERS = (OpenAI, Azure, Ollama, Vllm, OpenRouter, LlamaCpp, LmStudio, LiteLLM)
DIALECTS: dict[str, OpenAI] = {server.name: server() for server in SERVERS}
