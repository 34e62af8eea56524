"""The harness itself: restarts, shutdown with streams open, the mock's safety net."""

import os

import pytest

from e2e.harness.clients.sse import StreamClient
from e2e.harness.content.file_factory import FileFactory
from e2e.harness.model.openai_mock import OpenAIMock
from e2e.harness.server.faults import Faults
from e2e.harness.server.live_server import LiveServer
from web.streams import hub

INTERRUPTED = "The answer was interrupted because the server stopped."


def test_restart_with_a_stream_open_interrupts_it_and_keeps_the_conversation(
    chat, live_server: LiveServer, openai_mock: OpenAIMock
) -> None:
    openai_mock.reply(["Half", " an answer", " never finished"], gate_after=2)
    answer = chat.send("Tell me everything.")
    answer.expect_streaming("Half an answer")

    live_server.restart()  # raises if the open streams keep the server from stopping

    # The page reconnects by itself (the port listens throughout, so it is not refused)
    # and learns how the answer ended; nothing is lost.
    answer.expect_failed(INTERRUPTED, status="interrupted")
    answer.expect_text("Half an answer")
    chat.reload()
    chat.messages.expect_conversation(("Tell me everything.", "Half an answer"))
    chat.messages.last_answer.expect_failed(INTERRUPTED, status="interrupted")


def test_the_idle_check_counts_a_tab_still_following_its_workspace(
    page, app, live_server: LiveServer
) -> None:
    app.expect_live()

    with pytest.raises(AssertionError, match=r"still holds 0 answer job\(s\), 1 subscriber"):
        live_server.expect_idle()
    page.close()
    live_server.expect_idle()  # closing the tab let go of its stream


@pytest.mark.settings(openai_base_url="http://elsewhere.test/v1")
def test_requests_nothing_mocks_are_caught_not_sent(chat, openai_mock: OpenAIMock) -> None:
    answer = chat.send("Hello?")

    answer.expect_failed("The model service is having problems. Try again.")
    assert set(openai_mock.unmocked) == {"POST http://elsewhere.test/v1/chat/completions"}
    openai_mock.unmocked.clear()  # caught as intended; don't fail this test at teardown


def test_healing_undoes_the_faults_and_nothing_else_the_test_patched(
    monkeypatch: pytest.MonkeyPatch, faults: Faults, client: StreamClient, files: FileFactory
) -> None:
    usual = hub.KEEPALIVE_S
    monkeypatch.setenv("DOCCHAT_HARNESS_MARK", "the test's own")
    faults.heartbeat_every(0.05)
    faults.new_chats_crash()  # armed at its fault point
    faults.blob_writes_fail()

    faults.heal()

    assert usual == hub.KEEPALIVE_S  # the patch undone
    assert client.http.post("/api/sessions", json={}).status_code == 201  # the points disarmed
    assert client.upload(files.text("notes.txt", "Stored at last.")).status_code == 201
    assert os.environ["DOCCHAT_HARNESS_MARK"] == "the test's own"
