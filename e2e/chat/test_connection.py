"""The person's own connection: the browser going offline mid-answer and while idle, and
an answer's event stream refused. The page says what is happening, loses nothing, and
never stays wedged busy.

(The server dropping a stream's connection, and restarts: test_streaming.py.)
"""

import pytest

from e2e.harness.clients.api import Api
from e2e.harness.content.file_factory import FileFactory
from e2e.harness.model.openai_mock import OpenAIMock, Reply
from e2e.harness.server.faults import Faults
from e2e.harness.server.live_server import LiveServer
from pages import ChatPage
from pages.answer import Answer

TOKENS = ["Once", " upon", " a", " time", " there", " was", " Zembla."]
FULL = "".join(TOKENS)
OFFLINE_SEND = "You are offline. Your message is kept here: send it once the connection is back."


def story_streaming(chat: ChatPage, openai_mock: OpenAIMock) -> tuple[Answer, Reply]:
    """The chat's answer has begun and is held after two tokens."""
    reply = openai_mock.reply(TOKENS, gate_after=2)
    answer = chat.send("Tell me a story")
    answer.expect_streaming("Once upon")
    return answer, reply


def test_going_offline_mid_answer_says_so_and_resumes_exactly_where_it_was(
    chat, live_server: LiveServer, openai_mock: OpenAIMock, faults: Faults
) -> None:
    stream_ended = faults.watch_stream_ends()
    answer, reply = story_streaming(chat, openai_mock)
    chat.expect_live()
    subscriptions = live_server.call_on_loop(lambda ctx: ctx.hub.subscriptions)

    chat.go_offline()

    chat.expect_offline_notice()
    stream_ended.expect()  # the page let go of a stream it can't trust while offline
    reply.release()  # the rest is written while the page is offline
    answer.expect_streaming("Once upon")
    chat.input_bar.expect_busy()
    chat.go_online()
    chat.expect_offline_notice(shown=False)
    answer.expect_complete(FULL)  # exact: nothing lost, nothing twice
    chat.input_bar.expect_idle()
    chat.expect_live()
    # Each stream reopened once: the answer's, and the page's workspace stream.
    assert live_server.call_on_loop(lambda ctx: ctx.hub.subscriptions) == subscriptions + 2


def test_a_message_sent_while_offline_is_kept_until_the_connection_is_back(
    chat, api: Api, openai_mock: OpenAIMock
) -> None:
    chat.go_offline()
    chat.expect_offline_notice()

    chat.input_bar.send("Are you there?")

    chat.input_bar.expect_error(OFFLINE_SEND)
    chat.input_bar.expect_text("Are you there?")  # nothing lost
    chat.messages.expect_count(0)
    chat.go_online()
    chat.expect_offline_notice(shown=False)
    chat.input_bar.expect_error("")
    assert api.messages(chat.session_id) == []  # and nothing half sent
    assert openai_mock.requests == []
    openai_mock.reply(["Yes,", " here."])
    chat.input_bar.send("Are you there?")
    chat.messages.last_answer.expect_complete("Yes, here.")


@pytest.mark.browser_errors(statuses=[404], reason="the page follows an answer deleted elsewhere")
def test_an_answer_deleted_while_the_page_was_away_returns_the_page_to_idle(
    chat, api: Api, openai_mock: OpenAIMock, faults: Faults
) -> None:
    stream_ended = faults.watch_stream_ends()
    story_streaming(chat, openai_mock)
    chat.go_offline()
    stream_ended.expect()

    assert api.call("DELETE", f"/api/sessions/{chat.session_id}").status == 204  # elsewhere
    chat.go_online()

    chat.expect_deleted_elsewhere()  # not "Message not found.": the whole chat is gone


@pytest.mark.browser_errors(
    "ERR_INTERNET_DISCONNECTED", reason="the request is made while the browser is offline"
)
def test_an_upload_started_offline_says_it_was_interrupted_and_works_once_back(
    app, files: FileFactory, api: Api
) -> None:
    app.go_offline()

    app.documents.upload(files.text("notes.txt", "Written on a train."))

    app.documents.row("notes.txt").expect_failed(
        "The upload was interrupted. Check your connection and try again."
    )
    app.go_online()
    assert api.documents() == []
    app.documents.row("notes.txt").dismiss()
    app.documents.upload_and_wait(files.text("notes.txt", "Written on a train."))


@pytest.mark.browser_errors(
    "ERR_INTERNET_DISCONNECTED", reason="the request is made while the browser is offline"
)
def test_stop_pressed_while_offline_says_so_and_works_once_back(
    chat, openai_mock: OpenAIMock, faults: Faults
) -> None:
    stream_ended = faults.watch_stream_ends()
    answer, reply = story_streaming(chat, openai_mock)
    chat.go_offline()
    stream_ended.expect()

    chat.input_bar.stop_button.click()

    chat.input_bar.expect_error("Cannot reach DocChat. Check your connection and try again.")
    chat.input_bar.expect_busy()  # still being written, and still stoppable
    chat.go_online()
    chat.input_bar.stop()
    answer.expect_stopped("Once upon")
    reply.closed_early.expect()
