"""The model service failing before the answer begins: unreachable, rate limited, or
saying not to retry. What a person reads, and what the app sent and when.

(Status errors such as 401 and 503: test_chat_errors.py; the same faults over real HTTP:
test_model_server.py.)
"""

import pytest

from e2e.harness.model.openai_mock import OpenAIMock

QUESTION = "Hello?"
CHECK = "Check that it is running and that DOCCHAT_OPENAI_BASE_URL points to it, then try again."
RATE_LIMITED = "The model service is rate limiting requests. Try again shortly."


@pytest.mark.parametrize(
    ("how", "why"),
    [
        ("refused", " (connection refused)"),
        ("dns", " (no such host name)"),
        ("tls", " (the secure connection failed)"),
        ("no_route", " (no route to host)"),  # any other reason, in the system's words
        ("closed", ""),  # it hung up without a word: no reason to give
    ],
)
def test_an_unreachable_model_service_is_named_without_the_key(
    chat, openai_mock: OpenAIMock, how: str, why: str
) -> None:
    openai_mock.unreachable(how, times=3)  # the first try and both retries

    answer = chat.send(QUESTION)

    answer.expect_failed(
        f"DocChat could not reach the model service at openai.mock:80{why}. {CHECK}"
    )
    assert len(openai_mock.requests) == 3
    openai_mock.reply(["Back", " again."])
    answer.retry()
    chat.messages.last_answer.expect_complete("Back again.")


@pytest.mark.settings(openai_retry_max_wait_s=2)
@pytest.mark.parametrize(
    ("headers", "wait_s"),
    [
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after-ms": "300"}, 0.3),
        ({"retry-after-ms": "NaN", "retry-after": "0.4"}, 0.4),  # a number that is none
    ],
)
def test_a_short_retry_after_is_waited_out_exactly_then_retried(
    chat, openai_mock: OpenAIMock, headers: dict[str, str], wait_s: float
) -> None:
    openai_mock.fail(429, headers=headers)
    openai_mock.reply(["Worth", " the wait."])

    answer = chat.send(QUESTION)

    answer.expect_complete("Worth the wait.")
    first, second = openai_mock.requests
    assert second.at - first.at >= wait_s  # not a moment before the server asked


def test_rate_limits_that_outlast_the_retries_say_so_and_offer_retry(
    chat, openai_mock: OpenAIMock
) -> None:
    openai_mock.fail(429, times=3)  # no Retry-After: backoff, twice, then the person decides

    answer = chat.send(QUESTION)

    answer.expect_failed(RATE_LIMITED)
    assert len(openai_mock.requests) == 3
    openai_mock.reply(["Now", " it", " works."])
    answer.retry()
    chat.messages.last_answer.expect_complete("Now it works.")


def test_a_server_that_says_not_to_retry_is_not_retried(chat, openai_mock: OpenAIMock) -> None:
    openai_mock.fail(503, headers={"x-should-retry": "false"})

    answer = chat.send(QUESTION)

    answer.expect_failed("The model service is having problems. Try again.")  # the person may
    assert len(openai_mock.requests) == 1


def test_a_server_that_says_to_retry_is_retried(chat, openai_mock: OpenAIMock) -> None:
    openai_mock.fail(403, headers={"x-should-retry": "true"})  # not retried on our own
    openai_mock.reply(["Let", " in."])

    answer = chat.send(QUESTION)

    answer.expect_complete("Let in.")
    assert len(openai_mock.requests) == 2


def test_a_stream_chunk_of_an_unknown_shape_fails_the_answer_plainly_keeping_its_text(
    chat, openai_mock: OpenAIMock
) -> None:
    openai_mock.reply(["Half", " an answer"], end="unreadable")

    answer = chat.send(QUESTION)

    answer.expect_failed("Something went wrong while writing the answer.")
    answer.expect_text("Half an answer")
    openai_mock.reply(["Whole", " again."])
    answer.retry()
    chat.messages.last_answer.expect_complete("Whole again.")
