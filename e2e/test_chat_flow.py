"""Chat flow, end to end: upload, ask, watch the answer stream in, come back to it."""

import pytest

from e2e.helpers import FileFactory
from e2e.openai_mock import OpenAIMock
from pages import AppShell

ZEMBLA = (
    "Zembla is a distant northern land. The capital of Zembla is Onhava, "
    "a city of glass towers by the sea. Its king was Charles the Beloved."
)
QUESTION = "What is the capital of Zembla?"


def test_upload_chat_and_receive_a_streamed_answer(
    page, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    document = files.text("zembla.txt", ZEMBLA)
    reply = openai_mock.reply(["The capital", " of Zembla", " is Onhava", " [1]."], gate_after=2)

    app = AppShell(page).open()
    app.documents.upload_and_wait(document)
    chat = app.new_chat()
    answer = chat.send(QUESTION)

    chat.expect_title(QUESTION)  # the first question names the chat

    # Held at the gate: the first two tokens are on screen, the rest is not.
    answer.expect_streaming("The capital of Zembla")
    chat.input_bar.expect_busy()

    reply.release()
    answer.expect_complete("The capital of Zembla is Onhava [1].")
    chat.input_bar.expect_idle()

    assert ZEMBLA in openai_mock.last_request.prompt
    assert openai_mock.last_request.messages[-1] == {"role": "user", "content": QUESTION}

    chat.reload()
    chat.documents.expect_documents("zembla.txt")
    chat.expect_title(QUESTION)
    chat.messages.expect_conversation((QUESTION, reply.text))


def test_provider_error_is_shown_in_the_chat(page, openai_mock: OpenAIMock) -> None:
    openai_mock.fail(401)

    chat = AppShell(page).open().new_chat()
    answer = chat.send("Hello?")

    answer.expect_failed("The model service refused the API key. Check DOCCHAT_OPENAI_API_KEY.")
    chat.input_bar.expect_idle()


@pytest.mark.settings(openai_api_key=None)
def test_without_an_api_key_the_offline_answerer_quotes_the_best_passage(
    page, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    app = AppShell(page).open()
    app.documents.upload_and_wait(files.markdown("atlas.md", "Atlas", {"Zembla": ZEMBLA}))

    answer = app.new_chat().send(QUESTION)

    answer.expect_offline_label()
    answer.expect_complete_containing("The capital of Zembla is Onhava")
    assert openai_mock.requests == []
