"""Every open tab stays true: the workspace's live stream tells each tab what changed.

Tabs of one browser share a cookie and a connection pool (`context.new_page()`); a
second device is another browser with the same cookie (`new_context(storage_state=…)`).
Races are made real with `faults.delay_live_events()`: a tab acts on what it last heard."""

import pytest

from e2e.harness.clients.api import Api
from e2e.harness.content.file_factory import FileFactory
from e2e.harness.model.openai_mock import OpenAIMock
from e2e.harness.server.faults import Faults
from pages import AppShell, ChatPage

TOKENS = ["Once", " upon", " a", " time."]
BUSY = "Wait for the current answer, or stop it."
TRY_AGAIN = "The model service is having problems. Try again."
ALPHA = "Alpha notes: the amber harbour opens in spring."
BETA = "Beta notes: the glass towers light up at night."
GAMMA = "Gamma notes: the leek market sells on Sundays."


def test_a_document_finishing_processing_shows_so_in_every_open_tab(
    page, context, files: FileFactory, faults: Faults
) -> None:
    processing = faults.hold_processing()
    home = AppShell(page).open()
    chat = AppShell(context.new_page()).open().new_chat()
    third = AppShell(context.new_page()).open()

    home.documents.upload(files.text("alpha.txt", ALPHA))
    processing.expect_reached()
    home.documents.row("alpha.txt").expect_processing()
    for tab in (chat, third):
        tab.documents.row("alpha.txt").expect_processing_elsewhere()
    processing.release()

    for tab in (home, chat, third):
        tab.documents.row("alpha.txt").expect_ready(f"Text · {len(ALPHA)} B")
        tab.documents.expect_documents("alpha.txt")
    chat.header.documents.expect_chosen("alpha.txt")  # a chat answers from every ready one


@pytest.mark.browser_errors(statuses=[409], reason="the second copy is a duplicate")
def test_the_same_file_dropped_into_two_tabs_at_once_is_stored_once_and_both_tabs_show_it(
    page, context, files: FileFactory, faults: Faults, api: Api
) -> None:
    """Both uploads pass the duplicate check before either is stored: the race is real.
    The first is stored, then the second finds it there."""
    storing = faults.hold_storing()
    file = files.text("minutes.txt", "Minutes of the meeting.")
    first, second = AppShell(page).open(), AppShell(context.new_page()).open()
    first.documents.drag_over(file).drop()
    storing.expect_reached()
    second.documents.drag_over(file).drop()
    storing.expect_reached(times=2)

    storing.release_first()
    storing.expect_finished()
    storing.release()

    refused = second.documents.refused_upload("minutes.txt")
    refused.expect_failed("“minutes.txt” is already uploaded as “minutes.txt”.")
    second.documents.stored("minutes.txt").expect_ready()
    refused.dismiss()
    for tab in (first, second):
        tab.documents.expect_documents("minutes.txt")
        tab.documents.row("minutes.txt").expect_ready()
    assert [d["filename"] for d in api.documents()] == ["minutes.txt"]


def test_a_document_deleted_in_one_tab_leaves_the_others_choice_and_their_next_question(
    page, context, files: FileFactory, openai_mock: OpenAIMock, api: Api
) -> None:
    home = AppShell(page).open()
    home.documents.upload_and_wait(
        files.text("alpha.txt", ALPHA), files.text("beta.txt", BETA), files.text("gamma.txt", GAMMA)
    )
    chat = AppShell(context.new_page()).open().new_chat()
    chat.header.documents.choose("alpha.txt", "beta.txt")

    home.documents.row("alpha.txt").delete().confirm("Delete")

    chat.documents.expect_documents("beta.txt", "gamma.txt")
    chat.header.documents.expect_chosen("beta.txt")  # of the two left
    chat.send("What lights up at night?").expect_complete("According to [1]: " + BETA)
    assert openai_mock.last_request.sources == [f"[1] beta.txt\n{BETA}"]  # alpha's gone
    (session,) = api.call("GET", "/api/sessions").json()
    assert session["document_ids"] == [api.document_named("beta.txt")["id"]]


@pytest.mark.browser_errors(statuses=[404], reason="the choice names a document just deleted")
def test_a_choice_saved_after_a_document_was_deleted_elsewhere_keeps_the_rest_of_it(
    page, context, files: FileFactory, faults: Faults, api: Api
) -> None:
    late = faults.delay_live_events()  # the chat tab has not heard of the deletes
    home = AppShell(page).open()
    names = {"alpha.txt": ALPHA, "beta.txt": BETA, "gamma.txt": GAMMA, "delta.txt": "Delta."}
    for name, text in names.items():  # one after another: listed in this order
        home.documents.upload_and_wait(files.text(name, text))
    chat = AppShell(context.new_page()).open().new_chat()
    chat.header.documents.choose("alpha.txt", "beta.txt", "gamma.txt")
    for name in ("alpha.txt", "beta.txt"):
        home.documents.row(name).delete().confirm("Delete")

    chat.header.documents.toggle("delta.txt")

    chat.header.documents.expect_error(
        "“alpha.txt”, “beta.txt” were deleted elsewhere, so this chat no longer uses them."
    )
    chat.header.documents.expect_chosen("gamma.txt", "delta.txt")
    (session,) = api.call("GET", "/api/sessions").json()
    saved = {d["id"]: d["filename"] for d in api.documents()}
    assert sorted(saved[i] for i in session["document_ids"]) == ["delta.txt", "gamma.txt"]
    late.release()
    chat.documents.expect_documents("gamma.txt", "delta.txt")


def test_chats_created_renamed_and_reordered_in_one_tab_show_in_the_others(
    page, context, openai_mock: OpenAIMock
) -> None:
    first = AppShell(page).open().new_chat()
    second = ChatPage(context.new_page()).open(first.url)
    home = AppShell(context.new_page()).open()
    home.sidebar.expect_chats("New chat")

    first.header.rename("Budget")
    second.expect_title("Budget")
    second.header.rename("Budget 2025")  # the last rename wins everywhere
    first.expect_title("Budget 2025")
    later = home.new_chat()
    later.header.rename("Holidays")
    first.sidebar.expect_chats("Holidays", "Budget 2025")

    openai_mock.reply(["Nothing", " new."])
    first.send("Anything new?").expect_complete("Nothing new.")  # a question moves it up
    for tab in (second, later):
        tab.sidebar.expect_chats("Budget 2025", "Holidays")


def test_a_tab_on_one_chat_hears_of_another_chats_question_only_in_its_sidebar(
    page, context, openai_mock: OpenAIMock
) -> None:
    openai_mock.reply(["About", " A."])
    chat_a = AppShell(page).open().new_chat()
    chat_a.send("Question A?").expect_complete("About A.")
    chat_b = AppShell(context.new_page()).open().new_chat()
    reply = openai_mock.reply(["About", " B."], gate_after=1)

    answer_b = chat_b.send("Question B?")

    answer_b.expect_streaming("About")
    chat_a.sidebar.expect_chats("Question B?", "Question A?")
    reply.release()
    answer_b.expect_complete("About B.")
    chat_a.expect_caught_up(chat_b.live_event_id())  # heard all that B's tab has
    chat_a.messages.expect_conversation(("Question A?", "About A."))
    chat_a.expect_title("Question A?")
    chat_a.input_bar.expect_idle()


def test_a_question_sent_in_one_tab_streams_in_another_which_can_stop_it(
    page, context, openai_mock: OpenAIMock
) -> None:
    openai_mock.reply(TOKENS, gate_after=2)
    first = AppShell(page).open().new_chat()
    second = ChatPage(context.new_page()).open(first.url)

    first.send("Tell me a story").expect_streaming("Once upon")

    second.messages.last_answer.expect_streaming("Once upon")
    second.expect_title("Tell me a story")
    second.input_bar.expect_busy()
    second.input_bar.stop()
    for tab in (first, second):
        tab.messages.last_answer.expect_stopped("Once upon")
        tab.messages.expect_conversation(("Tell me a story", "Once upon"))
        tab.input_bar.expect_idle()


@pytest.mark.browser_errors(statuses=[409], reason="the second tab's send loses the race")
def test_two_tabs_sending_at_once_one_is_refused_in_words_then_follows_the_winner(
    page, context, openai_mock: OpenAIMock, faults: Faults
) -> None:
    reply = openai_mock.reply(["First", " wins."], gate_after=1)
    late = faults.delay_live_events()  # the second tab has not heard of the first's send
    first = AppShell(page).open().new_chat()
    second = ChatPage(context.new_page()).open(first.url)
    first.send("From the first tab").expect_streaming("First")

    second.input_bar.send("From the second tab")

    second.input_bar.expect_error(BUSY)
    second.input_bar.expect_text("From the second tab")  # kept, to send later
    late.release()
    second.messages.last_answer.expect_streaming("First")
    second.input_bar.expect_busy()
    reply.release()
    for tab in (first, second):
        tab.messages.expect_conversation(("From the first tab", "First wins."))
        tab.messages.last_answer.expect_complete("First wins.")
    second.input_bar.expect_text("From the second tab")


@pytest.mark.parametrize("heard", ["at once", "late"])
@pytest.mark.browser_errors(statuses=[404], reason="the watched answer's chat is deleted")
def test_a_chat_deleted_while_another_tab_watches_its_answer_says_so_there(
    heard: str, page, context, openai_mock: OpenAIMock, faults: Faults
) -> None:
    openai_mock.reply(TOKENS, gate_after=2)
    late = faults.delay_live_events() if heard == "late" else None
    first = AppShell(page).open().new_chat()
    watcher = ChatPage(context.new_page()).open(first.url)
    answer = first.send("Tell me a story")
    answer.expect_streaming("Once upon")
    if late:
        watcher.reload()  # it sees the answer, but hears of nothing after
    watcher.messages.last_answer.expect_streaming("Once upon")

    first.header.delete().confirm("Delete")

    watcher.expect_deleted_elsewhere()
    if late:
        late.release()
    watcher.sidebar.expect_chats()


def failed_in_another_tab(chat: ChatPage, context, openai_mock: OpenAIMock) -> ChatPage:
    """The chat's one answer failed (Retry offered); the chat opens in a second tab."""
    openai_mock.fail(500, times=3)
    chat.send("First?").expect_failed(TRY_AGAIN)
    other = ChatPage(context.new_page()).open(chat.url)
    other.messages.answer(0).expect_failed(TRY_AGAIN)
    return other


def test_only_the_latest_answer_offers_retry_in_every_tab(
    chat, context, openai_mock: OpenAIMock
) -> None:
    other = failed_in_another_tab(chat, context, openai_mock)

    openai_mock.reply(["Fine", " now."])
    chat.send("Second?").expect_complete("Fine now.")

    for tab in (chat, other):
        tab.messages.answer(0).expect_failed(TRY_AGAIN, retry=False)
    chat.reload().messages.answer(0).expect_failed(TRY_AGAIN, retry=False)


def test_a_retry_in_one_tab_replaces_the_answer_in_the_others(
    chat, context, openai_mock: OpenAIMock
) -> None:
    other = failed_in_another_tab(chat, context, openai_mock)
    reply = openai_mock.reply(["Second", " time", " lucky."], gate_after=1)

    chat.messages.last_answer.retry()

    other.messages.last_answer.expect_streaming("Second")
    other.input_bar.expect_busy()
    reply.release()
    for tab in (chat, other):
        tab.messages.expect_conversation(("First?", "Second time lucky."))


def test_an_answer_continued_in_one_tab_streams_on_in_the_others(
    chat, context, openai_mock: OpenAIMock
) -> None:
    openai_mock.reply(["Once", " upon"], end="length")
    chat.send("Tell me a story").expect_length_limited("Once upon")
    other = ChatPage(context.new_page()).open(chat.url)
    more = openai_mock.continuation([" a", " time."], gate_after=1)

    chat.messages.last_answer.continue_()

    other.messages.last_answer.expect_streaming("Once upon a")
    other.input_bar.expect_busy()
    more.release()
    for tab in (chat, other):
        tab.messages.last_answer.expect_complete("Once upon a time.")
        tab.messages.expect_count(1)


@pytest.mark.browser_errors(statuses=[404], reason="the answer it followed was replaced")
def test_an_answer_retried_elsewhere_while_a_tab_was_offline_is_replaced_there(
    chat, context, new_context, openai_mock: OpenAIMock, faults: Faults
) -> None:
    openai_mock.reply(TOKENS, gate_after=2)
    device = ChatPage(new_context(storage_state=context.storage_state()).new_page())
    device.open(chat.url)
    chat.send("Tell me a story").expect_streaming("Once upon")
    device.messages.last_answer.expect_streaming("Once upon")
    device.go_offline()
    chat.input_bar.stop()
    chat.messages.last_answer.expect_stopped("Once upon")
    openai_mock.reply(["Better", " this time."])
    chat.messages.last_answer.retry()
    chat.messages.last_answer.expect_complete("Better this time.")

    device.go_online()

    device.messages.expect_conversation(("Tell me a story", "Better this time."))
    device.messages.last_answer.expect_complete("Better this time.")
    device.input_bar.expect_idle()
    device.input_bar.expect_error("")


@pytest.mark.settings(max_message_chars=10)
def test_message_length_counts_characters_as_the_server_does(chat, openai_mock: OpenAIMock) -> None:
    chat.input_bar.fill("🙂" * 11)
    chat.input_bar.expect_error("Messages can be at most 10 characters.")
    chat.input_bar.expect_can_send(False)
    chat.input_bar.fill("🙂" * 10)  # ten characters: twenty UTF-16 code units
    chat.input_bar.expect_can_send(True)
    openai_mock.reply(["Smiles", " back."])
    chat.send("🙂" * 10).expect_complete("Smiles back.")
    chat.messages.expect_conversation(("🙂" * 10, "Smiles back."))
