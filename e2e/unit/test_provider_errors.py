"""A model service's failures as errors a person can act on: what each says, whether it
may be retried, and how long to wait."""

import email.utils
import socket
import ssl
import time

import httpx2
import openai
import pytest

from web.llm.errors import (
    ProviderError,
    cut_off,
    error_in_stream,
    from_openai,
    mid_stream,
    plan_cut_off,
    plan_filtered,
    should_retry,
)

URL = "https://models.example:8443/v1/chat/completions"
REQUEST = httpx2.Request("POST", URL)
UNAVAILABLE = ProviderError("unavailable", "The model service is having problems. Try again.", True)


def status(code: int, body: object = None, **headers: str) -> openai.APIStatusError:
    response = httpx2.Response(code, request=REQUEST, headers=headers)
    return openai.APIStatusError(f"Error code: {code}", response=response, body=body)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            status(401),
            ProviderError(
                "auth",
                "The model service refused the API key. Check DOCCHAT_OPENAI_API_KEY.",
                False,
            ),
        ),
        (
            status(403),
            ProviderError(
                "auth",
                "The model service does not let this API key use the model. "
                "Check DOCCHAT_OPENAI_API_KEY and DOCCHAT_MODEL.",
                False,
            ),
        ),
        (
            status(400, {"error": {"code": "context_length_exceeded", "message": "Too long"}}),
            ProviderError(
                "context_too_long",
                "The question and its context are too long for the model.",
                False,
            ),
        ),
        (
            status(400, {"code": "context_length_exceeded"}),  # the code at the top, as vLLM
            ProviderError(
                "context_too_long",
                "The question and its context are too long for the model.",
                False,
            ),
        ),
        (
            status(404, {"error": {"message": "The model `gpt-x` does not exist."}}),
            ProviderError(
                "model_not_found",
                "The model service says: The model `gpt-x` does not exist. Check DOCCHAT_MODEL.",
                False,
            ),
        ),
        (
            status(422, {"message": "temperature must be at most 2"}),
            ProviderError(
                "bad_request", "The model service says: temperature must be at most 2", False
            ),
        ),
        (
            status(400, "not a JSON object"),
            ProviderError("bad_request", "The model service says: Error code: 400", False),
        ),
        (status(500), UNAVAILABLE),
        (status(503), UNAVAILABLE),
        (
            openai.APITimeoutError(REQUEST),
            ProviderError("timeout", "The model took too long to answer. Try again.", True),
        ),
    ],
    ids=[
        "401",
        "403",
        "400 context too long",
        "400 context too long, code at the top",
        "404",
        "422",
        "400 without a JSON body",
        "500",
        "503",
        "timeout",
    ],
)
def test_each_failure_before_the_answer_says_what_to_do(
    error: openai.APIStatusError | openai.APITimeoutError, expected: ProviderError
) -> None:
    assert from_openai(error) == expected


@pytest.mark.parametrize(
    ("headers", "seconds", "when"),
    [
        ({"retry-after-ms": "1500"}, 1.5, "in 2 seconds"),
        ({"retry-after-ms": "1500", "retry-after": "30"}, 1.5, "in 2 seconds"),
        ({"retry-after": "1"}, 1.0, "in 1 second"),
        ({"retry-after": "-5"}, 0.0, "shortly"),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0, "shortly"),  # a date gone by
        ({"retry-after-ms": "nan", "retry-after": "7"}, 7.0, "in 7 seconds"),
        ({}, None, "shortly"),
        ({"retry-after": "soon"}, None, "shortly"),
    ],
    ids=[
        "ms",
        "ms before seconds",
        "one second",
        "negative",
        "a date gone by",
        "NaN skipped",
        "none",
        "garbage",
    ],
)
def test_rate_limiting_says_how_long_the_service_asks_to_wait(
    headers: dict[str, str], seconds: float | None, when: str
) -> None:
    assert from_openai(status(429, **headers)) == ProviderError(
        "rate_limited",
        f"The model service is rate limiting requests. Try again {when}.",
        True,
        seconds,
    )


def test_rate_limiting_reads_a_date_to_wait_until() -> None:
    later = email.utils.formatdate(time.time() + 60, usegmt=True)

    error = from_openai(status(429, **{"retry-after": later}))

    assert error.retry_after is not None and 55 <= error.retry_after <= 60
    assert error.message == "The model service is rate limiting requests. Try again in 60 seconds."


def connection_failure(cause: BaseException | None) -> openai.APIConnectionError:
    error = openai.APIConnectionError(request=REQUEST)
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("cause", "why"),
    [
        (ConnectionRefusedError(111, "Connection refused"), " (connection refused)"),
        (socket.gaierror(-2, "Name or service not known"), " (no such host name)"),
        (ssl.SSLError(1, "certificate verify failed"), " (the secure connection failed)"),
        (OSError(113, "No route to host"), " (no route to host)"),
        (RuntimeError("something else"), ""),
        (None, ""),
    ],
    ids=["refused", "no such host", "TLS", "no route", "unknown cause", "no cause"],
)
def test_a_service_out_of_reach_is_named_with_why(cause: BaseException | None, why: str) -> None:
    assert from_openai(connection_failure(cause)) == ProviderError(
        "unavailable",
        f"DocChat could not reach the model service at models.example:8443{why}. Check that "
        "it is running and that DOCCHAT_OPENAI_BASE_URL points to it, then try again.",
        True,
    )


def test_the_os_error_is_found_down_the_chain_of_causes() -> None:
    wrapped = RuntimeError("transport failed")
    wrapped.__context__ = ConnectionRefusedError(111, "Connection refused")

    assert "(connection refused)" in from_openai(connection_failure(wrapped)).message


def test_a_chain_of_causes_that_loops_back_ends_with_no_reason() -> None:
    first, second = RuntimeError("transport failed"), RuntimeError("pool closed")
    first.__context__, second.__context__ = second, first

    assert "at models.example:8443. Check" in from_openai(connection_failure(first)).message


@pytest.mark.parametrize(
    ("url", "named"),
    [("http://ollama.lan/v1", "ollama.lan:80"), ("https://api.example/v1", "api.example:443")],
    ids=["http", "https"],
)
def test_a_service_is_named_with_its_schemes_default_port(url: str, named: str) -> None:
    error = openai.APIConnectionError(request=httpx2.Request("POST", url))

    assert f"at {named}. Check" in from_openai(error).message


def test_the_app_s_own_failures_of_an_answer_say_what_to_do() -> None:
    assert [cut_off().as_json(), plan_cut_off().as_json(), plan_filtered().as_json()] == [
        {
            "code": "cut_off",
            "message": "The model's answer was cut off before it finished. Try again.",
            "retryable": True,
            "retry_after": None,
        },
        {
            "code": "cut_off",
            "message": "The model's research plan was cut off before it finished. Try again.",
            "retryable": True,
            "retry_after": None,
        },
        {
            "code": "filtered",
            "message": "The model service's content filter withheld the research plan. "
            "Try asking differently.",
            "retryable": False,
            "retry_after": None,
        },
    ]


@pytest.mark.parametrize(
    ("error", "said"),
    [
        ({"message": "CUDA out of memory.", "type": "server_error"}, "CUDA out of memory."),
        ("Worker died.", "Worker died."),
    ],
    ids=["as OpenAI, vLLM and llama.cpp", "a bare string"],
)
def test_an_error_sent_mid_stream_is_passed_on_in_the_services_words(
    error: object, said: str
) -> None:
    assert error_in_stream(error) == ProviderError(
        "unavailable", f"The model service failed mid-answer, saying: {said} Try again.", True
    )


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        (
            openai.APITimeoutError(REQUEST),
            "timeout",
            "The model stopped sending in the middle of the answer. Try again.",
        ),
        (
            openai.APIConnectionError(request=REQUEST),
            "unavailable",
            "The connection to the model service broke mid-answer. Try again.",
        ),
        (
            ValueError("Expecting value: line 1 column 1"),
            "bad_response",
            "The model service sent part of the answer garbled. Try again.",
        ),
    ],
    ids=["timeout", "connection", "garbled chunk"],
)
def test_a_failure_mid_answer_may_be_retried(error: Exception, code: str, message: str) -> None:
    assert mid_stream(error) == ProviderError(code, message, True)


def test_a_failure_mid_answer_of_another_kind_is_not_one_of_the_services() -> None:
    assert mid_stream(KeyError("choices")) is None


@pytest.mark.parametrize(
    ("header", "verdict"),
    [("true", True), ("false", False), ("maybe", None), (None, None)],
)
def test_the_services_own_word_on_retrying_is_kept(
    header: str | None, verdict: bool | None
) -> None:
    headers = {"x-should-retry": header} if header else {}

    assert should_retry(status(503, **headers)) is verdict
    assert should_retry(openai.APIConnectionError(request=REQUEST)) is None
