"""The test plan's three happy paths, end to end, each on the desktop, a phone and by
keyboard alone: upload → chat → a streamed answer; several documents → deep research;
a chat resumed elsewhere and after a restart. (The rest of chatting: test_sessions.py,
test_messages.py, test_document_context.py, test_modes.py, test_chat_errors.py.)"""

import pytest

from e2e.harness.content.chat_data import (
    HARBOUR,
    QUESTION,
    SOUP,
    ZEMBLA,
    ZEMBLA_QUOTE,
    chat_with_documents,
)
from e2e.harness.content.file_factory import FileFactory
from e2e.harness.model.openai_mock import OpenAIMock
from e2e.harness.server.live_server import LiveServer
from pages import ChatPage


@pytest.mark.devices("desktop", "phone", "keyboard")
def test_upload_chat_and_receive_a_streamed_answer(
    app, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    reply = openai_mock.reply(["The capital", " of Zembla", " is Onhava", " [1]."], gate_after=2)
    chat = chat_with_documents(app, files, **{"zembla.txt": ZEMBLA})

    answer = chat.send(QUESTION)

    chat.expect_title(QUESTION)  # the first question names the chat
    # Held at the gate: the first two tokens are on screen, the rest is not.
    answer.expect_streaming("The capital of Zembla")
    chat.input_bar.expect_busy()
    reply.release()
    answer.expect_complete("The capital of Zembla is Onhava [1].")
    answer.expect_mode("Chat")
    answer.expect_citations("[1] zembla.txt")
    chat.input_bar.expect_idle()
    assert openai_mock.last_request.sources == [f"[1] zembla.txt\n{ZEMBLA}"]
    assert openai_mock.last_request.conversation == [("user", QUESTION)]

    chat.reload()
    chat.documents.expect_documents("zembla.txt")
    chat.expect_title(QUESTION)
    chat.messages.expect_conversation((QUESTION, reply.text))


@pytest.mark.devices("desktop", "phone", "keyboard")
def test_deep_research_over_several_documents_streams_steps_and_cites_each(
    app, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    """Happy path 2: several documents → deep research → a streamed answer with citations."""
    chat = chat_with_documents(
        app, files, **{"zembla.txt": ZEMBLA, "harbour.txt": HARBOUR, "soup.txt": SOUP}
    )
    openai_mock.plan(["What is the capital of Zembla?", "What does the harbour ship?"])
    reply = openai_mock.reply(
        ["Onhava is the capital [1]", " and its harbour", " ships amber [2]."], gate_after=2
    )

    chat.input_bar.choose_mode("Deep research")
    answer = chat.send("Tell me about Zembla's capital and its trade")

    answer.expect_streaming("Onhava is the capital [1] and its harbour")
    answer.expect_steps(
        "Planning the research…",
        "Searched “What is the capital of Zembla?”: 1 passage",
        "Searched “What does the harbour ship?”: 1 passage",
        "Writing the answer from 2 passages…",
    )
    reply.release()
    answer.expect_complete("Onhava is the capital [1] and its harbour ships amber [2].")
    answer.expect_mode("Deep research")
    answer.expect_citations("[1] zembla.txt", "[2] harbour.txt")

    plan, synthesis = openai_mock.requests
    assert plan.body["response_format"]["type"] == "json_schema"
    assert synthesis.messages[0]["content"].startswith("You are DocChat in deep research mode.")
    assert synthesis.sources == [f"[1] zembla.txt\n{ZEMBLA}", f"[2] harbour.txt\n{HARBOUR}"]

    chat.reload()
    answer = chat.messages.last_answer
    answer.expect_steps(
        "Planning the research…",
        "Searched “What is the capital of Zembla?”: 1 passage",
        "Searched “What does the harbour ship?”: 1 passage",
        "Writing the answer from 2 passages…",
    )
    answer.expect_citations("[1] zembla.txt", "[2] harbour.txt")
    chat.input_bar.expect_mode("Deep research")


@pytest.mark.devices("desktop", "phone", "keyboard")
def test_a_chat_resumes_elsewhere_and_after_a_restart_with_its_history(
    app, context, new_context, live_server: LiveServer, openai_mock: OpenAIMock, files
) -> None:
    """Happy path 3: session persistence → resume → continue with the history."""
    chat = chat_with_documents(app, files, **{"zembla.txt": ZEMBLA, "soup.txt": SOUP})
    chat.header.documents.choose("zembla.txt")
    chat.input_bar.choose_mode("Deep research")
    first = chat.send(QUESTION)
    first.expect_complete(ZEMBLA_QUOTE)

    # Another tab of the same browser (same cookie), straight to the chat's URL.
    elsewhere = ChatPage(new_context(storage_state=context.storage_state()).new_page())
    elsewhere.open(chat.url)
    expect_resumed(elsewhere)

    live_server.restart()
    chat.reload()
    expect_resumed(chat)
    chat.input_bar.choose_mode("Chat")
    chat.send("Who was its king?").expect_complete(ZEMBLA_QUOTE)
    assert openai_mock.last_request.messages[-3:] == [
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": ZEMBLA_QUOTE},
        {"role": "user", "content": "Who was its king?"},
    ]


def expect_resumed(chat: ChatPage) -> None:
    chat.expect_title(QUESTION)
    chat.messages.expect_conversation((QUESTION, ZEMBLA_QUOTE))
    chat.messages.last_answer.expect_mode("Deep research")
    chat.messages.last_answer.expect_citations("[1] zembla.txt")
    chat.header.documents.expect_chosen("zembla.txt")
    chat.input_bar.expect_mode("Deep research")
