"""The model server over real HTTP: every fault the in-process mock injects, on a socket,
and every server's dialect.

The app runs as its own process (`python -m web`) and reaches the scripted mock through
e2e/harness/model/openai_server.py, so each fault is what a real server or network does: a dropped
stream is a connection reset mid-body, a stall is silence until the app's own read
timeout fires, a cut stream is a clean end of the body with no finish reason, and an
unreachable server is one that is not listening (or does not speak TLS).
"""

from collections.abc import Callable

import pytest

from e2e.harness.content.chat_data import ZEMBLA, chat_with_documents
from e2e.harness.content.file_factory import FileFactory
from e2e.harness.model.dialects import DIALECTS
from e2e.harness.model.openai_mock import OpenAIMock
from e2e.harness.model.openai_server import OpenAIServer
from e2e.harness.server.app_process import AppProcess
from pages import AppShell
from pages.answer import CUT_OFF, EMPTY, TOOL_CALL, Answer

TOKENS = ["Once", " upon", " a", " time"]
PARTIAL = "Once upon a time"
QUESTION = "Tell me a story"
TRY_AGAIN = "The model service is having problems. Try again."
# Long enough for any real pause between chunks on a busy machine; the stall is endless.
READ_TIMEOUT_S = 1.5


@pytest.fixture
def browser_context_args(browser_context_args: dict, app_process: AppProcess) -> dict:
    """The browser talks to the app process (not the in-process server)."""
    return {**browser_context_args, "base_url": app_process.url}


def expect_ended(answer: Answer, status: str, shown: str, text: str = PARTIAL) -> None:
    if status == "length_limit":
        answer.expect_length_limited(text)
    elif status == "filtered":
        answer.expect_filtered(text)
    elif status == "refused":
        answer.expect_refused(text)
    else:
        answer.expect_failed(shown)
        answer.expect_text(text)


STREAM_ENDINGS = [  # how the stream ends, the answer's status, what the page says
    ("cut", "error", CUT_OFF),
    ("length", "length_limit", ""),
    ("content_filter", "filtered", ""),
    ("drop", "error", "The connection to the model service broke mid-answer. Try again."),
    (
        "error_event",
        "error",
        "The model service failed mid-answer, saying: The server had an error while "
        "processing your request. Sorry about that! Try again.",
    ),
    ("malformed", "error", "The model service sent part of the answer garbled. Try again."),
    ("stall", "error", "The model stopped sending in the middle of the answer. Try again."),
]


@pytest.mark.settings(openai_timeout_s=READ_TIMEOUT_S)
@pytest.mark.parametrize(
    ("end", "status", "shown"), STREAM_ENDINGS, ids=[e[0] for e in STREAM_ENDINGS]
)
def test_each_way_a_stream_ends_shows_and_is_stored_the_same_over_real_http(
    page, app_process: AppProcess, openai_mock: OpenAIMock, end: str, status: str, shown: str
) -> None:
    openai_mock.reply(TOKENS, end=end)
    chat = AppShell(page).open().new_chat()

    answer = chat.send(QUESTION)

    expect_ended(answer, status, shown)
    stored = app_process.stored_message(answer.message_id)
    assert (stored["status"], stored["content"]) == (status, PARTIAL)  # never "done"
    chat.reload()
    expect_ended(chat.messages.last_answer, status, shown)


SAID_BESIDES_TEXT = [  # what the model says, the answer's status and text, what the page says
    pytest.param(lambda mock: mock.refuse(TOKENS), "refused", PARTIAL, "", id="refusal"),
    pytest.param(lambda mock: mock.reply([]), "error", "", EMPTY, id="no-text"),
    pytest.param(
        lambda mock: mock.reply(TOKENS, end="tool_calls"),
        "error",
        PARTIAL,
        TOOL_CALL,
        id="tool-call",
    ),
]


@pytest.mark.parametrize(("say", "status", "text", "shown"), SAID_BESIDES_TEXT)
def test_a_refusal_no_text_and_a_call_of_a_tool_end_the_same_over_real_http(
    page,
    app_process: AppProcess,
    openai_mock: OpenAIMock,
    say: Callable[[OpenAIMock], object],
    status: str,
    text: str,
    shown: str,
) -> None:
    say(openai_mock)
    chat = AppShell(page).open().new_chat()

    answer = chat.send(QUESTION)

    expect_ended(answer, status, shown, text)
    stored = app_process.stored_message(answer.message_id)
    assert (stored["status"], stored["content"]) == (status, text)  # never "done"
    chat.reload()
    expect_ended(chat.messages.last_answer, status, shown, text)


FAILURES_BEFORE_THE_ANSWER = [  # the fault, the mode asked in, what the page says
    pytest.param(lambda mock: mock.fail(503), "Chat", TRY_AGAIN, id="503"),
    pytest.param(
        lambda mock: mock.fail(429, headers={"retry-after": "20"}),
        "Chat",
        "The model service is rate limiting requests. Try again in 20 seconds.",
        id="429",
    ),
    pytest.param(
        OpenAIMock.time_out, "Chat", "The model took too long to answer. Try again.", id="timeout"
    ),
    pytest.param(
        lambda mock: mock.plan(["Who?", "Where?"], end="cut"),
        "Deep research",
        "The model's research plan was cut off before it finished. Try again.",
        id="plan-cut",
    ),
]


@pytest.mark.settings(openai_timeout_s=READ_TIMEOUT_S, openai_max_retries=0)
@pytest.mark.parametrize(("fault", "mode", "shown"), FAILURES_BEFORE_THE_ANSWER)
def test_failures_before_the_answer_begins_show_the_same_over_real_http(
    page,
    app_process: AppProcess,
    openai_mock: OpenAIMock,
    fault: Callable[[OpenAIMock], object],
    mode: str,
    shown: str,
) -> None:
    fault(openai_mock)
    chat = AppShell(page).open().new_chat()
    chat.input_bar.choose_mode(mode)

    answer = chat.send("Who and where?")

    answer.expect_failed(shown)
    assert app_process.stored_message(answer.message_id)["status"] == "error"


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_every_servers_dialect_shows_and_stores_the_same_over_real_http(
    page, app_process: AppProcess, openai_mock: OpenAIMock, dialect: str
) -> None:
    openai_mock.speak(dialect)
    thinks = DIALECTS[dialect].reasoning_field is not None
    openai_mock.reply(TOKENS, reasoning=["Thinking", " it over."] if thinks else [])
    chat = AppShell(page).open().new_chat()

    answer = chat.send(QUESTION)

    answer.expect_complete(PARTIAL)
    if thinks:
        answer.expect_thought("Thinking it over.")
    else:
        answer.expect_no_reasoning()
    stored = app_process.stored_message(answer.message_id)
    assert (stored["status"], stored["content"]) == ("done", PARTIAL)


def test_deep_research_on_a_server_without_structured_output_completes_over_real_http(
    page, app_process: AppProcess, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    openai_mock.speak("litellm")  # answers 400 to any response_format
    chat = chat_with_documents(AppShell(page).open(), files, **{"zembla.txt": ZEMBLA})
    chat.input_bar.choose_mode("Deep research")
    openai_mock.plan(["Zembla's capital?"])
    openai_mock.reply(["Onhava", " [1]."])

    answer = chat.send("What is the capital of Zembla?")

    answer.expect_complete("Onhava [1].")
    answer.expect_steps(
        "Planning the research…",
        "Searched “Zembla's capital?”: 1 passage",
        "Writing the answer from 1 passage…",
    )
    assert len(openai_mock.plan_requests) == 3  # a schema, JSON mode, then a plain list
    assert app_process.stored_message(answer.message_id)["status"] == "done"


def test_an_unreachable_model_server_is_named_and_retry_works_once_it_is_back(
    chat, app_process: AppProcess, openai_server: OpenAIServer, openai_mock: OpenAIMock
) -> None:
    openai_server.stop()  # nothing listens on its port: connections are refused

    answer = chat.send(QUESTION)

    answer.expect_failed(
        f"DocChat could not reach the model service at 127.0.0.1:{openai_server.port} "
        "(connection refused). Check that it is running and that DOCCHAT_OPENAI_BASE_URL "
        "points to it, then try again."
    )
    chat.input_bar.expect_idle()
    assert openai_mock.requests == []
    openai_server.start()  # back, on the same port
    openai_mock.reply([*TOKENS, "."])
    answer.retry()
    chat.messages.last_answer.expect_complete(f"{PARTIAL}.")


def test_a_model_server_that_does_not_speak_tls_is_named(
    page, app_process: AppProcess, openai_server: OpenAIServer, openai_mock: OpenAIMock
) -> None:
    app_process.restart_with(openai_base_url=f"https://127.0.0.1:{openai_server.port}/v1")
    chat = AppShell(page).open().new_chat()

    answer = chat.send(QUESTION)

    answer.expect_failed(
        f"DocChat could not reach the model service at 127.0.0.1:{openai_server.port} "
        "(the secure connection failed). Check that it is running and that "
        "DOCCHAT_OPENAI_BASE_URL points to it, then try again."
    )
    assert openai_mock.requests == []  # the handshake failed: no request was understood
