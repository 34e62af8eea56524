"""A scripted stand-in for the OpenAI API, mounted with respx in the test process.

Tests script replies (token lists, reasoning, refusals, calls of tools, gates that hold a
stream mid-flight), research plans, HTTP errors with real OpenAI error bodies and
timeouts; anything unscripted gets a deterministic answer built from the sources the app
sent (and a plan built from the question). It speaks OpenAI's dialect, or another
server's (`speak`, e2e/harness/model/dialects.py). Every request is recorded. A request to any other
URL is answered with an error and fails the test at teardown: nothing reaches the network.
"""

import asyncio
import errno
import json
import re
import socket
import ssl
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpcore2
import httpx
import respx

from e2e.harness.holds import Hold, Signal
from e2e.harness.model.dialects import DIALECTS, KINDS, MODEL, OpenAI, event
from web.llm.prompts import CONTINUE_PROMPT

BASE_URL = "http://openai.mock/v1"

# Error bodies as the real API sends them.
ERROR_BODIES: dict[int, dict[str, Any]] = {
    400: {
        "message": "This model's maximum context length is 128000 tokens. However, your "
        "messages resulted in 131072 tokens. Please reduce the length of the messages.",
        "type": "invalid_request_error",
        "param": "messages",
        "code": "context_length_exceeded",
    },
    401: {
        "message": "Incorrect API key provided: sk-test. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
        "type": "invalid_request_error",
        "param": None,
        "code": "invalid_api_key",
    },
    403: {
        "message": "You are not allowed to sample from this model",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    },
    404: {
        "message": f"The model `{MODEL}` does not exist or you do not have access to it.",
        "type": "invalid_request_error",
        "param": None,
        "code": "model_not_found",
    },
    429: {
        "message": f"Rate limit reached for {MODEL} in organization org-test on requests per "
        "min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.",
        "type": "requests",
        "param": None,
        "code": "rate_limit_exceeded",
    },
    422: {  # as OpenAI-compatible servers (vLLM, LiteLLM) answer a request they reject
        "message": "Input should be a valid string: messages.0.content",
        "type": "invalid_request_error",
        "param": "messages",
        "code": None,
    },
    500: {
        "message": "The server had an error while processing your request. Sorry about that!",
        "type": "server_error",
        "param": None,
        "code": None,
    },
    503: {
        "message": "The engine is currently overloaded, please try again later.",
        "type": "server_error",
        "param": None,
        "code": None,
    },
}


# How a scripted stream ends after its tokens. The model's own endings (a finish_reason,
# then `data: [DONE]`): "stop", "length", "content_filter", and "tool_calls" (after a
# call of a tool). A stream that just stops, cleanly, with neither: "cut". And breaks: the
# connection drops, the API sends an error event, a chunk arrives garbled (not JSON) or
# unreadable (JSON, but not a chunk's shape), or nothing more comes until the app's read
# timeout fires.
FINISHES = ("stop", "length", "content_filter", "tool_calls")
BREAKS = ("drop", "error_event", "malformed", "unreadable", "stall")
ENDS = (*FINISHES, "cut", *BREAKS)


@dataclass
class Reply:
    """A scripted streamed answer: its reasoning, then its tokens (of `kind` "content", or
    "refusal"); with `gate_after=k` it stops after k of those, reasoning first.

    `to` keeps it for the request whose question is exactly that; `continues` for a request
    to continue an answer instead; `end` is how the stream ends (one of ENDS).
    """

    tokens: list[str]
    gate_after: int | None = None
    to: str | None = None
    end: str = "stop"
    continues: bool = False
    reasoning: list[str] = field(default_factory=list)
    kind: str = "content"
    gate: Hold = field(default_factory=lambda: Hold("the model's stream at its gate"))
    closed_early: Signal = field(default_factory=lambda: Signal("the app closing the stream"))
    pace_s: float = 0.0  # a pause before each token, as a real model streams (benchmarks)
    emitted_at: list[float] = field(default_factory=list)  # time.time() of each token

    @property
    def text(self) -> str:
        return "".join(self.tokens)

    @property
    def pieces(self) -> list[tuple[str, str]]:
        """(kind, text) in the order streamed."""
        return [("reasoning", r) for r in self.reasoning] + [(self.kind, t) for t in self.tokens]

    def release(self) -> None:
        self.gate.release()

    def expect_held(self) -> None:
        """The app has read up to the gate and waits there for more."""
        self.gate.expect_reached()

    def suits(self, request: "RecordedRequest") -> bool:
        if self.continues != request.is_continuation:
            return False
        return self.to is None or request.question == self.to


@dataclass
class Plan:
    """A scripted research plan: the sub-questions the planning call returns, and how it
    finished ("stop"; "length" or "cut" send half of it; "content_filter" none of it)."""

    sub_questions: list[str]
    end: str = "stop"
    content: str | None = None  # the model's own words instead of the JSON asked for


@dataclass
class ErrorReply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


class TimeOut:
    """The model service accepts the connection and never answers in time."""


# What the operating system says when the model service can't be reached at all.
UNREACHABLE: dict[str, tuple[type[OSError], int, str]] = {
    "refused": (ConnectionRefusedError, 111, "Connection refused"),
    "dns": (socket.gaierror, -2, "Name or service not known"),
    "no_route": (OSError, errno.EHOSTUNREACH, "No route to host"),
    "tls": (ssl.SSLError, 1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"),
}


@dataclass
class Unreachable:
    how: str  # a key of UNREACHABLE


class _ConnectError(httpcore2.ConnectError):
    """httpcore's connect error caused by the OS's, as on a real socket.

    respx re-raises what a side effect raised `from` a wrapper of its own, which would
    replace the OS error as the cause; this cause is read-only, so it stays.
    """

    def __init__(self, os_error: OSError) -> None:
        super().__init__(str(os_error))
        self._os_error = os_error

    @property
    def __cause__(self) -> BaseException:
        return self._os_error

    @__cause__.setter
    def __cause__(self, _: BaseException | None) -> None:
        pass


# Errors, time-outs and unreachable servers hit the next call of either kind; replies and
# plans wait for theirs.
Scripted = Reply | Plan | ErrorReply | TimeOut | Unreachable
FAILURES = (ErrorReply, TimeOut, Unreachable)


@dataclass
class RecordedRequest:
    url: str
    body: dict[str, Any]
    at: float = field(default_factory=time.monotonic)  # when it arrived

    @property
    def messages(self) -> list[dict[str, str]]:
        return self.body.get("messages", [])

    @property
    def question(self) -> str:
        return self.messages[-1]["content"]

    @property
    def conversation(self) -> list[tuple[str, str]]:
        """(role, text) of every message but the instructions and sources: the earlier
        exchanges the model is given, oldest first, then the question."""
        return [(m["role"], m["content"]) for m in self.messages if m["role"] != "system"]

    @property
    def sources(self) -> list[str]:
        """The numbered sources the model is given, each "[n] label\ntext", in order."""
        given = [m["content"] for m in self.messages if m["content"].startswith("Sources:\n\n")]
        return given[0].removeprefix("Sources:\n\n").split("\n\n") if given else []

    @property
    def is_continuation(self) -> bool:
        """A request to go on with an answer: the answer so far, then the ask to go on."""
        return bool(self.messages) and self.messages[-1]["content"] == CONTINUE_PROMPT

    @property
    def partial(self) -> str:
        """The answer so far that a continuation request carries."""
        assert self.is_continuation, "not a continuation request"
        return self.messages[-2]["content"]

    @property
    def is_plan(self) -> bool:
        """A deep-research planning call (structured output), not a streamed answer."""
        return not self.body.get("stream")

    @property
    def prompt(self) -> str:
        """Every message's text, for asserting what reached the model."""
        return "\n".join(m.get("content") or "" for m in self.messages)


class OpenAIMock:
    base_url = BASE_URL

    def __init__(self, router: respx.Router) -> None:
        self.requests: list[RecordedRequest] = []
        self.unmocked: list[str] = []
        self._script: deque[Scripted] = deque()
        self._router = router
        self.dialect: OpenAI = DIALECTS["openai"]
        router.post(f"{BASE_URL}/chat/completions").mock(side_effect=self._chat_completions)
        router.route().mock(side_effect=self._unmocked)

    def reply(
        self,
        tokens: list[str],
        *,
        gate_after: int | None = None,
        to: str | None = None,
        end: str = "stop",
        pace_s: float = 0.0,
        reasoning: list[str] | None = None,
        kind: str = "content",
    ) -> Reply:
        """Script an answer as these tokens (see Reply for the options)."""
        assert end in ENDS, f"end= takes one of {ENDS}"
        assert kind in KINDS, f"kind= takes one of {KINDS}"
        reply = Reply(
            tokens, gate_after, to, end, pace_s=pace_s, reasoning=reasoning or [], kind=kind
        )
        self._script.append(reply)
        return reply

    def refuse(self, tokens: list[str], *, gate_after: int | None = None) -> Reply:
        """Script the next answer as a refusal in these words (OpenAI's `delta.refusal`)."""
        return self.reply(tokens, gate_after=gate_after, kind="refusal")

    def speak(self, dialect: str) -> None:
        """Stream, and refuse requests, as this server does (a name of DIALECTS)."""
        self.dialect = DIALECTS[dialect]

    def continuation(
        self, tokens: list[str], *, gate_after: int | None = None, end: str = "stop"
    ) -> Reply:
        """Script the answer to the next request to continue an answer."""
        assert end in ENDS, f"end= takes one of {ENDS}"
        reply = Reply(tokens, gate_after, end=end, continues=True)
        self._script.append(reply)
        return reply

    def plan(self, sub_questions: list[str], *, end: str = "stop") -> Plan:
        """Script the next research plan."""
        assert end in (*FINISHES, "cut"), f"a plan's end= takes one of {FINISHES} or cut"
        plan = Plan(sub_questions, end)
        self._script.append(plan)
        return plan

    def unusable_plan(self, content: str) -> Plan:
        """Script the next research plan as words that are not the JSON the app asked for."""
        plan = Plan([], content=content)
        self._script.append(plan)
        return plan

    def fail(
        self, status: int, *, headers: dict[str, str] | None = None, times: int = 1
    ) -> ErrorReply:
        """Script the next `times` calls to fail with the real API's error body for `status`."""
        error = ErrorReply(status, {"error": ERROR_BODIES[status]}, headers or {})
        self._script.extend([error] * times)
        return error

    def time_out(self, *, times: int = 1) -> None:
        """Script the next `times` calls to time out before any answer arrives."""
        self._script.extend([TimeOut()] * times)

    def unreachable(self, how: str = "refused", *, times: int = 1) -> None:
        """Script the next `times` calls to find no server (refused, no such host, no route,
        TLS), or one that closes the connection without a word ("closed")."""
        assert how in (*UNREACHABLE, "closed"), f"how= takes one of {(*UNREACHABLE, 'closed')}"
        self._script.extend([Unreachable(how)] * times)

    @property
    def last_request(self) -> RecordedRequest:
        assert self.requests, "The app sent no request to OpenAI."
        return self.requests[-1]

    def forget_requests(self) -> None:
        """Drop the request log (and respx's): long benchmarks measure the app, not it."""
        self.requests.clear()
        self._router.reset()

    def log(self) -> dict[str, Any]:
        """Everything the app sent, and what was scripted but never asked for."""
        return {
            "requests": [{"url": r.url, "body": r.body} for r in self.requests],
            "unused_script": self.unused,
            "unmocked": self.unmocked,
        }

    @property
    def unused(self) -> list[str]:
        """What was scripted but never asked for: a test that scripts it expects the call."""
        return [_describe(item) for item in self._script]

    @property
    def answer_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if not r.is_plan]

    @property
    def plan_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.is_plan]

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer as respx does, for a request that came another way (openai_server.py)."""
        if request.method == "POST" and str(request.url) == f"{BASE_URL}/chat/completions":
            return self._chat_completions(request)
        return self._unmocked(request)

    def _chat_completions(self, request: httpx.Request) -> httpx.Response:
        recorded = RecordedRequest(str(request.url), json.loads(request.content))
        self.requests.append(recorded)
        if refused := self.dialect.refuses(recorded.body):  # before any script is used
            return httpx.Response(refused.status, json=refused.body)
        scripted = self._next(Plan if recorded.is_plan else Reply, recorded)
        if isinstance(scripted, TimeOut):
            raise httpcore2.ReadTimeout("mock: the model did not answer in time")
        if isinstance(scripted, Unreachable) and scripted.how == "closed":
            raise httpcore2.RemoteProtocolError("Server disconnected without sending a response.")
        if isinstance(scripted, Unreachable):
            kind, number, text = UNREACHABLE[scripted.how]
            raise _ConnectError(kind(number, text))
        if isinstance(scripted, ErrorReply):
            return httpx.Response(scripted.status, json=scripted.body, headers=scripted.headers)
        if recorded.is_plan:
            plan = scripted or default_plan(recorded)
            assert isinstance(plan, Plan)  # _next gave what a plan's call takes
            return httpx.Response(200, json=_plan_completion(plan, recorded))
        reply = scripted or default_reply(recorded)
        assert isinstance(reply, Reply)
        return httpx.Response(
            200,
            headers={"content-type": "text/event-stream"},
            content=_sse(reply, self.dialect, recorded),
        )

    def _next(self, kind: type, request: RecordedRequest) -> Scripted | None:
        """The scripted outcome for this call, if any is left."""
        if self._script and isinstance(self._script[0], FAILURES):
            return self._script.popleft()
        for item in self._script:
            if isinstance(item, kind) and (not isinstance(item, Reply) or item.suits(request)):
                self._script.remove(item)
                return item
        return None

    def _unmocked(self, request: httpx.Request) -> httpx.Response:
        self.unmocked.append(f"{request.method} {request.url}")
        return httpx.Response(599, json={"error": {"message": "unmocked request in a test"}})


# "[n] label" on its own line, then the passage, up to the next label.
_SOURCE = re.compile(r"^\[(\d+)\] [^\n]*\n(.*?)(?=\n\n\[\d+\] |\Z)", re.DOTALL | re.MULTILINE)


def _describe(item: Scripted) -> str:
    if isinstance(item, Reply):
        return f"{'continuation' if item.continues else 'reply'} {item.text!r}"
    if isinstance(item, Plan):
        return f"plan {item.content or item.sub_questions!r}"
    if isinstance(item, ErrorReply):
        return f"failure {item.status}"
    if isinstance(item, Unreachable):
        return f"unreachable ({item.how})"
    return "time-out"


def default_reply(request: RecordedRequest) -> Reply:
    """Quote the first sentence of each source the app sent, citing it; or say there is none."""
    sources = next(
        (m["content"] for m in request.messages if m["content"].startswith("Sources:")), None
    )
    if sources is None:
        return Reply(_words("I could not find anything about that in your documents."))
    quotes = []
    for number, text in _SOURCE.findall(sources):
        sentence = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
        quotes.append(f"According to [{number}]: {sentence}")
    return Reply(_words(" ".join(quotes)))


def default_plan(request: RecordedRequest) -> Plan:
    """The question's clauses as sub-questions: "A and B?" plans "A" and "B?"."""
    question = request.messages[-1]["content"]
    return Plan([part.strip() for part in re.split(r"\s+and\s+|;", question) if part.strip()])


def _words(text: str) -> list[str]:
    return re.findall(r"\s*\S+", text)


async def _sse(reply: Reply, dialect: OpenAI, request: RecordedRequest) -> AsyncIterator[bytes]:
    finished = False
    pieces = reply.pieces
    held_at_end = reply.gate_after is not None and reply.gate_after >= len(pieces)
    # Where the server does, the last text comes with the finish reason.
    merged = dialect.finishes_with_last_text and reply.end == "stop" and not held_at_end
    merged = merged and bool(pieces)
    try:
        for data in dialect.begin():
            yield data
        for index, (kind, text) in enumerate(pieces):
            if index == reply.gate_after:
                await reply.gate.wait()
            if reply.pace_s:
                await asyncio.sleep(reply.pace_s)
            reply.emitted_at.append(time.time())
            last = merged and index == len(pieces) - 1
            yield dialect.piece(kind, text, reply.end if last else None)
        if held_at_end:
            await reply.gate.wait()
        usage = dialect.usage_for(request.body, [kind for kind, _ in pieces])
        async for data in _ending(reply.end, dialect, usage, merged):
            yield data
        finished = True
    finally:
        if not finished and reply.end not in BREAKS:
            reply.closed_early.set()  # stopped by the app, before the end


async def _ending(
    end: str, dialect: OpenAI, usage: dict[str, Any] | None, finished: bool
) -> AsyncIterator[bytes]:
    """What follows the tokens (`finished`: the last of them said how the answer ended).
    Over real HTTP (e2e/harness/model/openai_server.py) the transport errors raised here become what
    causes them: a reset connection, a silent one."""
    if end == "tool_calls":
        yield dialect.tool_call()
    if end in FINISHES:
        for data in dialect.end(None if finished else end, usage):
            yield data
    if end == "drop":
        raise httpcore2.ReadError("mock: connection reset by peer")
    if end == "stall":
        raise httpcore2.ReadTimeout("mock: no data within the read timeout")
    if end == "error_event":
        yield event({"error": ERROR_BODIES[500]})
    if end == "malformed":
        yield b'data: {"choices": [{"delta": {"content": "gar\n\n'
    if end == "unreadable":
        yield event({"id": "chatcmpl-mock", "object": "chat.completion.chunk", "choices": None})


def _plan_completion(plan: Plan, request: RecordedRequest) -> dict[str, Any]:
    """The plan as asked for: JSON where a response format was, else a list."""
    if "response_format" in request.body:
        written = json.dumps({"sub_questions": plan.sub_questions})
    else:
        written = "\n".join(f"- {q}" for q in plan.sub_questions)
    content = plan.content or written
    if plan.end == "content_filter":
        return _completion("", "content_filter")
    if plan.end in ("length", "cut"):
        return _completion(content[: len(content) // 2], "length" if plan.end == "length" else None)
    return _completion(content, "stop")


def _completion(content: str, finish_reason: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-mock",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
