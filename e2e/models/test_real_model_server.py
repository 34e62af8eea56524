"""DocChat against an OpenAI-compatible server it did not write: LiteLLM's proxy (from
PyPI, e2e/harness/model/litellm_proxy.py), in front of the model stand-in speaking as vLLM does.

What DocChat reads is the proxy's own stream (its chunks, its `reasoning_content`, its
usage and its errors), so these tests fail if our copy of a dialect drifted from a real
implementation's. The app runs as its own process, as a person runs it.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from e2e.harness.content.chat_data import QUESTION, TRY_AGAIN, ZEMBLA, chat_with_documents
from e2e.harness.content.file_factory import FileFactory
from e2e.harness.model.dialects import usage_of
from e2e.harness.model.litellm_proxy import KEY, MODEL, LiteLLMProxy
from e2e.harness.model.openai_mock import OpenAIMock
from e2e.harness.model.openai_server import OpenAIServer
from e2e.harness.server.app_process import AppProcess
from pages import AppShell

THINKING = ["The question", " asks for", " the capital."]
TOKENS = ["Onhava", " is the capital", " [1]."]
ANSWER = "Onhava is the capital [1]."


@pytest.fixture
def litellm(openai_server: OpenAIServer, tmp_path: Path) -> Iterator[LiteLLMProxy]:
    proxy = LiteLLMProxy(openai_server.base_url, tmp_path / "litellm")
    proxy.start()
    yield proxy
    proxy.stop()


@pytest.fixture
def app_process(app_process_on, litellm: LiteLLMProxy) -> AppProcess:
    """The app, set up for the proxy as its README says: its URL, its key, its model."""
    return app_process_on(openai_base_url=litellm.base_url, openai_api_key=KEY, model=MODEL)


@pytest.fixture
def browser_context_args(browser_context_args: dict, app_process: AppProcess) -> dict:
    return {**browser_context_args, "base_url": app_process.url}


def test_an_answer_through_litellm_streams_its_thinking_cites_and_says_what_it_cost(
    page, app_process: AppProcess, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    openai_mock.speak("vllm")  # the model behind the proxy: a reasoning model on vLLM
    chat = chat_with_documents(AppShell(page).open(), files, **{"zembla.txt": ZEMBLA})
    reply = openai_mock.reply(TOKENS, reasoning=THINKING, gate_after=len(THINKING) + 1)

    answer = chat.send(QUESTION)

    answer.expect_streaming("Onhava")
    reply.release()
    answer.expect_complete(ANSWER)
    answer.expect_thought("".join(THINKING))
    answer.expect_citations("[1] zembla.txt")
    asked = openai_mock.last_request  # as the proxy passed it on
    assert asked.sources == ["[1] zembla.txt\n" + ZEMBLA]
    stored = app_process.stored_message(answer.message_id)
    assert (stored["status"], stored["content"]) == ("done", ANSWER)
    # The proxy passes on the model's counts, and counts the thinking among them itself.
    given = usage_of(asked.body, [])["prompt_tokens"]
    usage = app_process.stored_usage(answer.message_id)
    assert usage is not None
    thinking = usage["reasoning_tokens"]
    written = len(THINKING) + len(TOKENS)
    answer.expect_usage(
        f"Used {given + written} tokens: {given} in, {written} out ({thinking} of them thinking)."
    )


@pytest.mark.settings(openai_max_retries=0)
def test_a_model_down_behind_litellm_is_said_plainly_and_retry_answers_once_it_is_back(
    page, app_process: AppProcess, openai_server: OpenAIServer, openai_mock: OpenAIMock
) -> None:
    openai_server.stop()  # the proxy is up; the model behind it is not
    chat = AppShell(page).open().new_chat()

    answer = chat.send(QUESTION)

    answer.expect_failed(TRY_AGAIN)  # the proxy's 500 "Connection error"
    assert app_process.stored_message(answer.message_id)["status"] == "error"
    openai_server.start()
    openai_mock.reply(["Onhava."])
    answer.retry()
    chat.messages.last_answer.expect_complete("Onhava.")
