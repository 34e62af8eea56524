"""The workspace's live stream itself: numbered changes resumed exactly, tabs that slept
catching up, the streams a workspace may hold, and many tabs and workspaces at once.

Tabs of one browser share a cookie (`context.new_page()`); a second device is another
browser with the same cookie (`new_context(storage_state=…)`).
"""

import itertools
from collections.abc import Callable
from typing import NamedTuple

import pytest
from httpx import Headers
from httpx_sse import ServerSentEvent
from playwright.sync_api import BrowserContext

from e2e.harness.clients.sse import HEARTBEAT, StreamClient, lines_after_opening
from e2e.harness.content.file_factory import FileFactory
from e2e.harness.model.openai_mock import OpenAIMock
from e2e.harness.server.faults import Faults
from e2e.harness.server.live_server import LiveServer
from e2e.harness.server.stored import Store
from pages import AppShell

ALPHA = "Alpha notes: the amber harbour opens in spring."
BETA = "Beta notes: the glass towers light up at night."
LIVE = "/api/workspace/events"


class Replayed(NamedTuple):
    events: list[ServerSentEvent]
    headers: Headers


def another_device(context: BrowserContext, new_context: Callable[..., BrowserContext]) -> AppShell:
    """The same workspace in another browser (its own connections, its own network)."""
    return AppShell(new_context(storage_state=context.storage_state()).new_page()).open()


def replay(client: StreamClient, count: int, last_event_id: str | None = None) -> Replayed:
    """The first `count` changes a new subscription replays, and its response's headers."""
    with client.subscribe(LIVE, last_event_id) as source:
        return Replayed(list(itertools.islice(source.iter_sse(), count)), source.response.headers)


def replayed_count(client: StreamClient, last_event_id: str | None = None) -> int:
    """How many changes a new subscription replays before it falls quiet (a heartbeat)."""
    with client.subscribe(LIVE, last_event_id) as source:
        lines = itertools.takewhile(lambda line: line != HEARTBEAT, lines_after_opening(source))
        return sum(line.startswith("event: ") for line in lines)


def test_the_workspace_stream_numbers_each_change_resumes_exactly_and_keeps_to_its_own(
    live_server: LiveServer, openai_mock: OpenAIMock, faults: Faults
) -> None:
    faults.heartbeat_every(0.5)
    mine, theirs = StreamClient(live_server.url), StreamClient(live_server.url)
    upload = {"file": ("notes.txt", b"Harbour notes.")}
    document = mine.http.post("/api/documents", files=upload, headers={"DocChat-Upload": "tab-1"})
    session_id = mine.new_chat()
    assert mine.http.patch(f"/api/sessions/{session_id}", json={"title": "Plans"}).is_success
    openai_mock.reply(["Hi."])
    sent = mine.ask(session_id, "Harbour?").json()
    mine.read_to_end(sent["events_url"])
    assert mine.http.delete(f"/api/documents/{document.json()['id']}").is_success
    assert mine.http.delete(f"/api/sessions/{session_id}").is_success
    theirs.new_chat()

    events, headers = replay(mine, 8)
    rest, _ = replay(mine, 3, last_event_id="5")
    their_events, _ = replay(theirs, 1)

    assert (replayed_count(mine), replayed_count(mine, "5"), replayed_count(theirs)) == (8, 3, 1)
    assert headers["content-type"].startswith("text/event-stream")
    assert headers["x-accel-buffering"] == "no"
    assert events[0].retry == 500
    assert [(e.id, e.event) for e in events] == [
        ("1", "document"),
        ("2", "document"),
        ("3", "session"),
        ("4", "session"),
        ("5", "session"),
        ("6", "answer"),
        ("7", "document_deleted"),
        ("8", "session_deleted"),
    ]
    added, ready = events[0].json(), events[1].json()
    assert (added["document"]["status"], added["upload"]) == ("processing", "tab-1")
    assert (ready["document"]["status"], ready["upload"]) == ("ready", None)
    assert [e.json()["session"]["title"] for e in events[2:5]] == ["New chat", "Plans", "Plans"]
    started = events[5].json()
    assert started["session_id"] == session_id and started["replaces"] is None
    assert started["question"]["content"] == "Harbour?"
    assert (started["answer"]["status"], started["answer"]["last_event_id"]) == ("streaming", 0)
    assert events[7].json() == {"id": session_id}
    assert [(e.id, e.data) for e in rest] == [(e.id, e.data) for e in events[5:]]
    assert [(e.id, e.event) for e in their_events] == [("1", "session")]
    # Past its last change, a resume has nothing to wait for: 204, which stops EventSource.
    for client, past_the_end in ((mine, "9"), (theirs, "2"), (theirs, "9" * 30)):
        response = client.http.get(LIVE, headers={"Last-Event-ID": past_the_end})
        assert (response.status_code, response.content) == (204, b""), past_the_end


@pytest.mark.parametrize("asleep", ["offline", "out of sight"])
def test_a_tab_that_was_asleep_catches_up_without_losing_or_repeating_an_event(
    asleep: str,
    page,
    context,
    new_context,
    files: FileFactory,
    openai_mock: OpenAIMock,
    faults: Faults,
    store: Store,
) -> None:
    home = AppShell(page).open()
    home.documents.upload_and_wait(files.text("alpha.txt", ALPHA))
    stream_ended = faults.watch_stream_ends()
    device = another_device(context, new_context)
    device.expect_live()
    if asleep == "offline":
        device.go_offline()
    else:
        device.go_out_of_sight()
    stream_ended.expect()  # the device's: it holds no connection while asleep

    chat = home.new_chat()
    chat.documents.upload_and_wait(files.text("beta.txt", BETA))
    chat.documents.row("alpha.txt").delete().confirm("Delete")
    chat.header.rename("While you slept")
    chat.send("What lights up?").expect_complete("According to [1]: " + BETA)
    AppShell(page).open().new_chat()
    assert device.live_event_id() < store.last_live_event_id()  # it heard none of that

    if asleep == "offline":
        device.go_online()
    else:
        device.come_back()

    device.documents.expect_documents("beta.txt")
    device.documents.row("beta.txt").expect_ready()
    device.sidebar.expect_chats("New chat", "While you slept")
    device.expect_caught_up(store.last_live_event_id())


@pytest.mark.settings(max_live_tabs_per_workspace=1)
@pytest.mark.browser_errors(statuses=[429], reason="a live stream past the limit is refused")
def test_live_streams_are_bounded_per_workspace_and_a_refused_tab_says_so(
    page, context, new_user, faults: Faults
) -> None:
    stream_ended = faults.watch_stream_ends()
    first = AppShell(page).open()
    first.expect_live()

    second = AppShell(context.new_page()).open()

    second.expect_problem(
        "1 DocChat tab is already following this workspace, the most at once. This tab will "
        "not update by itself: close other DocChat tabs, then reload it."
    )
    AppShell(new_user()).open().expect_live()  # another workspace has its own
    first.page.close()
    stream_ended.expect()  # the closed tab's (the refused one never started)
    second.reload().expect_live()


def test_five_tabs_of_a_workspace_converge_and_five_other_workspaces_hear_nothing(
    page, context, new_context, new_user, files: FileFactory, openai_mock: OpenAIMock
) -> None:
    mine = [AppShell(page).open(), AppShell(context.new_page()).open()]
    mine += [another_device(context, new_context) for _ in range(3)]
    theirs = [AppShell(new_user()).open() for _ in range(5)]

    mine[0].documents.upload_and_wait(files.text("alpha.txt", ALPHA))
    mine[1].documents.upload_and_wait(files.text("beta.txt", BETA))
    for n, stranger in enumerate(theirs):
        stranger.documents.upload_and_wait(files.text(f"theirs-{n}.txt", f"Stranger {n}'s notes."))
    mine[2].documents.row("alpha.txt").delete().confirm("Delete")
    chat = mine[3].new_chat()
    chat.send("What lights up?").expect_complete("According to [1]: " + BETA)
    watching = mine[4].open_chat("What lights up?")

    for tab in [*mine[:3], chat, watching]:
        tab.documents.expect_documents("beta.txt")
        tab.sidebar.expect_chats("What lights up?")
    watching.messages.expect_conversation(("What lights up?", "According to [1]: " + BETA))
    for n, stranger in enumerate(theirs):
        stranger.documents.expect_documents(f"theirs-{n}.txt")
        stranger.sidebar.expect_chats()
