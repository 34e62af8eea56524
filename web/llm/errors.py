"""Provider failures as typed app errors a person can act on."""

import email.utils
import math
import socket
import ssl
import time
from dataclasses import asdict, dataclass
from typing import Any

import openai


@dataclass
class ProviderError(Exception):
    code: str
    message: str
    retryable: bool
    retry_after: float | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def cut_off() -> ProviderError:
    """The model's stream ended without saying how (no finish_reason): a proxy or a crashed
    worker cut it. The SDK raises nothing then, so the app must not take it as finished."""
    return ProviderError(
        "cut_off", "The model's answer was cut off before it finished. Try again.", True
    )


def plan_cut_off() -> ProviderError:
    return ProviderError(
        "cut_off", "The model's research plan was cut off before it finished. Try again.", True
    )


def plan_filtered() -> ProviderError:
    return ProviderError(
        "filtered",
        "The model service's content filter withheld the research plan. Try asking differently.",
        False,
    )


# What a call to the model service can fail with before any answer arrives: no answer
# at all, or an error status. (The SDK's other errors come from reading a stream, see
# mid_stream, or from helpers DocChat does not use.)
CALL_FAILURES = (openai.APIConnectionError, openai.APIStatusError)


def from_openai(exc: openai.APIConnectionError | openai.APIStatusError) -> ProviderError:
    if isinstance(exc, openai.APITimeoutError):
        return ProviderError("timeout", "The model took too long to answer. Try again.", True)
    if isinstance(exc, openai.APIConnectionError):
        return _unreachable(exc)
    return _from_status(exc)


def error_in_stream(error: object) -> ProviderError:
    """An error the service sent in place of the next chunk, after the answer began:
    `{"error": {"message"}}` as OpenAI, vLLM and llama.cpp send it, or `{"error": "…"}`."""
    said = error.get("message") if isinstance(error, dict) else error
    return ProviderError(
        "unavailable", f"The model service failed mid-answer, saying: {said} Try again.", True
    )


def mid_stream(exc: Exception) -> ProviderError | None:
    """A failure after the answer began: the partial text stays, the person may retry."""
    if isinstance(exc, openai.APITimeoutError):
        return ProviderError(
            "timeout", "The model stopped sending in the middle of the answer. Try again.", True
        )
    if isinstance(exc, openai.APIConnectionError):
        return ProviderError(
            "unavailable", "The connection to the model service broke mid-answer. Try again.", True
        )
    if isinstance(exc, ValueError):  # a chunk that is not valid JSON
        return ProviderError(
            "bad_response", "The model service sent part of the answer garbled. Try again.", True
        )
    return None


def should_retry(exc: openai.APIConnectionError | openai.APIStatusError) -> bool | None:
    """The server's own word on retrying (`x-should-retry`), as the OpenAI SDK obeys it."""
    if not isinstance(exc, openai.APIStatusError):
        return None
    return {"true": True, "false": False}.get(exc.response.headers.get("x-should-retry", ""))


def _unreachable(exc: openai.APIConnectionError) -> ProviderError:
    """Names where DocChat looked (never the key), and why it got no answer there."""
    url = exc.request.url
    port = url.port or (443 if url.scheme == "https" else 80)
    return ProviderError(
        "unavailable",
        f"DocChat could not reach the model service at {url.host}:{port}{_why(exc)}. "
        "Check that it is running and that DOCCHAT_OPENAI_BASE_URL points to it, then try "
        "again.",
        True,
    )


def _why(exc: BaseException) -> str:
    seen: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None and cause not in seen:  # the OS's error ends the SDK's chain
        if isinstance(cause, ConnectionRefusedError):
            return " (connection refused)"
        if isinstance(cause, socket.gaierror):
            return " (no such host name)"
        if isinstance(cause, ssl.SSLError):
            return " (the secure connection failed)"
        if isinstance(cause, OSError) and cause.strerror:  # e.g. no route to host
            return f" ({cause.strerror.lower()})"
        seen.append(cause)
        cause = cause.__cause__ or cause.__context__
    return ""


def _from_status(exc: openai.APIStatusError) -> ProviderError:
    status = exc.status_code
    if status == 401:
        return ProviderError(
            "auth", "The model service refused the API key. Check DOCCHAT_OPENAI_API_KEY.", False
        )
    if status == 403:
        return ProviderError(
            "auth",
            "The model service does not let this API key use the model. "
            "Check DOCCHAT_OPENAI_API_KEY and DOCCHAT_MODEL.",
            False,
        )
    if status == 429:
        retry_after = _retry_after(exc)
        seconds = math.ceil(retry_after) if retry_after else 0
        when = f"in {seconds} second{'s' if seconds != 1 else ''}" if seconds else "shortly"
        return ProviderError(
            "rate_limited",
            f"The model service is rate limiting requests. Try again {when}.",
            True,
            retry_after,
        )
    if status == 400 and _error_code(exc) == "context_length_exceeded":
        return ProviderError(
            "context_too_long", "The question and its context are too long for the model.", False
        )
    if status == 404:
        return ProviderError(
            "model_not_found",
            f"The model service says: {_message(exc)} Check DOCCHAT_MODEL.",
            False,
        )
    if status >= 500:
        return ProviderError(
            "unavailable", "The model service is having problems. Try again.", True
        )
    return ProviderError("bad_request", f"The model service says: {_message(exc)}", False)


def _retry_after(exc: openai.APIStatusError) -> float | None:
    """Seconds the server asks to wait: `retry-after-ms`, else `retry-after` (seconds or a
    date), as the OpenAI SDK reads them."""
    headers = exc.response.headers
    for name, unit in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            seconds = float(headers[name]) * unit
        except (KeyError, ValueError):
            continue
        if not math.isnan(seconds):
            return max(0.0, seconds)
    date = email.utils.parsedate_tz(headers.get("retry-after", ""))
    return max(0.0, email.utils.mktime_tz(date) - time.time()) if date else None


def _error_code(exc: openai.APIStatusError) -> str | None:
    body = exc.body if isinstance(exc.body, dict) else {}
    return body.get("code") or (body.get("error") or {}).get("code")


def _message(exc: openai.APIStatusError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    return body.get("message") or (body.get("error") or {}).get("message") or str(exc)
