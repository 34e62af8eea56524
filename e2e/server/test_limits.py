"""Limits: what one request or one workspace may take at once, and the clear errors past them.

(Upload size and message length are proven with uploads and chat, in test_upload_flow.py
and test_messages.py.)
"""

from collections.abc import Iterator

import pytest

from e2e.harness.clients.sse import StreamClient
from e2e.harness.content.file_factory import FileFactory
from e2e.harness.model.openai_mock import OpenAIMock
from e2e.harness.server.faults import Faults
from pages import AppShell, ChatPage

TOKENS = ["Once", " upon", " a", " time."]
FULL = "".join(TOKENS)


def test_request_bodies_are_bounded_declared_or_streamed(client: StreamClient) -> None:
    too_large = {"code": "body_too_large", "message": "The request body is larger than 256 KB."}
    title = "T" * 300_000
    session_id = client.new_chat()

    declared = client.http.post("/api/sessions", json={"title": title})
    streamed = client.http.patch(  # no Content-Length: cut off as it passes the limit
        f"/api/sessions/{session_id}",
        content=iter([b'{"title": "', title.encode(), b'"}']),
        headers={"Content-Type": "application/json"},
    )

    for response in (declared, streamed):
        assert (response.status_code, response.json()["error"]) == (413, too_large)
        assert response.headers["connection"] == "close"
    sessions = client.http.get("/api/sessions").json()
    assert [(s["id"], s["title"]) for s in sessions] == [(session_id, "New chat")], "changed"


def test_a_body_streamed_in_pieces_arrives_whole_and_one_cut_short_changes_nothing(
    client: StreamClient, faults: Faults
) -> None:
    read = faults.watch_streamed_bodies()
    session_id = client.new_chat()
    json = {"Content-Type": "application/json"}

    renamed = client.http.patch(
        f"/api/sessions/{session_id}",
        content=iter([b'{"title": ', b'"Piece', b' by piece"}']),
        headers=json,
    )
    assert (renamed.status_code, renamed.json()["title"]) == (200, "Piece by piece")

    def cut_short() -> Iterator[bytes]:
        yield b'{"title": "Never'
        raise ConnectionAbortedError("the client went away mid-body")

    with pytest.raises(ConnectionAbortedError):
        client.http.patch(f"/api/sessions/{session_id}", content=cut_short(), headers=json)
    read.expect(times=2)
    assert client.http.get(f"/api/sessions/{session_id}").json()["title"] == "Piece by piece"


@pytest.mark.settings(max_uploads_per_workspace=2)
@pytest.mark.parametrize("step", ["receiving", "processing"])
@pytest.mark.browser_errors(statuses=[429], reason="an upload past the limit is refused")
def test_uploads_in_flight_are_bounded_per_workspace(
    page, another_page, faults: Faults, files: FileFactory, step: str
) -> None:
    """An upload holds its slot until it is stored and read, not only while it arrives:
    reading runs a parser process of its own, and those are bounded too."""
    held = faults.hold_uploads() if step == "receiving" else faults.hold_processing()
    mine = AppShell(page).open()
    for count, name in enumerate(("a.txt", "b.txt"), start=1):
        mine.documents.upload(files.text(name, f"Document {name}."))
        held.expect_reached(times=count)

    mine.documents.upload(files.text("c.txt", "One too many."))

    refused = mine.documents.row("c.txt")
    refused.expect_failed(
        "2 uploads are already in progress. Wait for one to finish, then try again."
    )
    theirs = AppShell(another_page).open()
    theirs.documents.upload(files.text("theirs.txt", "Their own workspace."))
    held.expect_reached(times=3)  # let in: their workspace has a limit of its own
    held.release()
    for app, name in ((mine, "a.txt"), (mine, "b.txt"), (theirs, "theirs.txt")):
        app.documents.row(name).expect_ready()
    refused.dismiss()
    mine.documents.upload_and_wait(files.text("c.txt", "One too many, once."))  # room again
    mine.documents.expect_documents("a.txt", "b.txt", "c.txt")


@pytest.mark.settings(max_streams_per_workspace=2)
@pytest.mark.browser_errors(statuses=[429], reason="a stream past the limit is refused")
def test_open_answer_streams_are_bounded_per_workspace(
    page, context, new_user, openai_mock: OpenAIMock, faults: Faults
) -> None:
    stream_ended = faults.watch_answer_streams_ending()
    reply = openai_mock.reply(TOKENS, gate_after=2)
    openai_mock.reply(["Yes, ", "here."], to="Anyone there?")
    first = AppShell(page).open().new_chat()
    first.send("Tell me a story").expect_streaming("Once upon")
    second_tab = context.new_page()
    ChatPage(second_tab).open(first.url).messages.last_answer.expect_streaming("Once upon")

    third = ChatPage(context.new_page()).open(first.url)

    third.input_bar.expect_error(
        "2 answer streams are already open, the most at once. "
        "Close other DocChat tabs, then reload this page."
    )
    third.input_bar.expect_idle()  # not wedged busy: the page can be used
    stranger = AppShell(new_user()).open().new_chat()
    stranger.send("Anyone there?").expect_complete("Yes, here.")  # their own limit
    second_tab.close()
    stream_ended.expect(times=2)  # the stranger's, and the closed tab's (not its live one)
    third.reload()
    third.messages.last_answer.expect_streaming("Once upon")
    reply.release()
    for tab in (first, third):
        tab.messages.last_answer.expect_complete(FULL)
