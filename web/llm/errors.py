"""Provider failures as typed app errors a person can act on."""

from dataclasses import asdict, dataclass

import openai


@dataclass
class ProviderError(Exception):
    code: str
    message: str
    retryable: bool
    retry_after: float | None = None

    def as_json(self) -> dict:
        return asdict(self)


def from_openai(exc: openai.OpenAIError) -> ProviderError:
    if isinstance(exc, openai.APITimeoutError):
        return ProviderError("timeout", "The model took too long to answer. Try again.", True)
    if isinstance(exc, openai.APIConnectionError):
        return ProviderError("unavailable", "The model service could not be reached.", True)
    if isinstance(exc, openai.APIStatusError):
        return _from_status(exc)
    return ProviderError(
        "bad_response", "The model service sent an answer DocChat cannot read.", True
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
    if isinstance(exc, openai.APIError) and not isinstance(exc, openai.APIStatusError):
        return ProviderError(
            "unavailable",
            f"The model service failed mid-answer, saying: {exc.message} Try again.",
            True,
        )
    if isinstance(exc, ValueError):  # a chunk that is not valid JSON
        return ProviderError(
            "bad_response", "The model service sent part of the answer garbled. Try again.", True
        )
    return None


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
        when = f"in {retry_after:g} seconds" if retry_after else "shortly"
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
    value = exc.response.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _error_code(exc: openai.APIStatusError) -> str | None:
    body = exc.body if isinstance(exc.body, dict) else {}
    return body.get("code") or (body.get("error") or {}).get("code")


def _message(exc: openai.APIStatusError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    return body.get("message") or (body.get("error") or {}).get("message") or str(exc)
