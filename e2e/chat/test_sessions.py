"""Chats: listed most recent first, named by their first question, renamed, deleted;
and what the page says when the server cannot do what was asked."""

import pytest

from e2e.harness.clients.api import Api
from e2e.harness.content.chat_data import NOTHING_FOUND, SAVE_REFUSED, TRY_AGAIN
from e2e.harness.content.file_factory import FileFactory
from e2e.harness.model.openai_mock import OpenAIMock
from e2e.harness.server.faults import Faults
from e2e.harness.server.live_server import LiveServer
from pages import AppShell, ChatPage


def test_chats_are_listed_most_recent_first_and_open_by_url(page, app) -> None:
    first = app.new_chat()
    first.send("First question?").expect_complete(NOTHING_FOUND)
    first_url = first.url
    second = first.new_chat()
    second.send("Second question?").expect_complete(NOTHING_FOUND)
    second.sidebar.expect_chats("Second question?", "First question?")

    first = ChatPage(page).open(first_url)
    first.send("A follow-up?").expect_complete(NOTHING_FOUND)

    first.reload()
    first.sidebar.expect_chats("First question?", "Second question?")
    first.expect_title("First question?")
    second = first.open_chat("Second question?")
    second.expect_title("Second question?")
    expect_questions(second, "Second question?")


def test_sending_in_or_renaming_a_chat_below_the_first_changes_its_entry_alone(app) -> None:
    for question in ("Oldest?", "Middle?", "Newest?"):
        app.new_chat().send(question).expect_complete(NOTHING_FOUND)
    app.sidebar.expect_chats("Newest?", "Middle?", "Oldest?")

    middle = app.open_chat("Middle?")
    middle.header.rename("Middle, renamed")
    middle.sidebar.expect_chats("Middle, renamed", "Newest?", "Oldest?")  # last changed first
    middle.expect_title("Middle, renamed")

    oldest = middle.open_chat("Oldest?")
    oldest.send("Again?").expect_complete(NOTHING_FOUND)
    oldest.sidebar.expect_chats("Oldest?", "Middle, renamed", "Newest?")
    oldest.expect_title("Oldest?")
    expect_questions(oldest, "Oldest?", "Again?")


def expect_questions(chat: ChatPage, *questions: str) -> None:
    chat.messages.expect_conversation(*((q, NOTHING_FOUND) for q in questions))


def test_a_chat_is_named_after_its_first_question_cut_to_sixty_characters(chat) -> None:
    question = "How did the harbour of Onhava become the busiest amber port in the north?"

    chat.send(question).expect_complete(NOTHING_FOUND)

    chat.expect_title(question[:59] + "…")
    chat.send("And then?").expect_complete(NOTHING_FOUND)
    chat.expect_title(question[:59] + "…")  # named once, by the first question


def test_a_chat_can_be_renamed(chat, live_server: LiveServer) -> None:
    chat.send("Where is Zembla?").expect_complete(NOTHING_FOUND)

    chat.header.rename("Zembla notes")

    chat.expect_title("Zembla notes")
    live_server.restart()
    chat.reload()
    chat.expect_title("Zembla notes")
    chat.send("And its capital?").expect_complete(NOTHING_FOUND)
    chat.expect_title("Zembla notes")  # a named chat keeps its name


def test_renaming_can_be_cancelled_and_a_blank_name_changes_nothing(chat) -> None:
    chat.header.rename("Thrown away", button="Cancel")
    chat.header.rename("   ")

    chat.expect_title("New chat")
    chat.reload()
    chat.expect_title("New chat")


@pytest.mark.sqlite
@pytest.mark.browser_errors(statuses=[507], reason="the database refuses every change")
def test_chat_changes_the_server_cannot_save_are_refused_on_the_page_and_change_nothing(
    app, faults: Faults, files: FileFactory, openai_mock: OpenAIMock
) -> None:
    app.documents.upload_and_wait(files.text("notes.txt", "Notes."))
    chat = app.new_chat()
    openai_mock.fail(500, times=3)
    chat.send("Hello?").expect_failed(TRY_AGAIN)
    faults.database_read_only()

    chat.sidebar.press_new_chat()
    chat.expect_problem(SAVE_REFUSED)
    chat.header.rename("Renamed")
    chat.expect_problem(SAVE_REFUSED)
    chat.header.delete().confirm("Delete")
    chat.expect_problem(SAVE_REFUSED)
    chat.header.documents.toggle("notes.txt")
    chat.header.documents.expect_error(SAVE_REFUSED)
    chat.messages.last_answer.retry()
    chat.input_bar.expect_error(SAVE_REFUSED)
    chat.input_bar.expect_idle()

    faults.heal()
    chat.reload()
    chat.sidebar.expect_chats("Hello?")
    chat.expect_title("Hello?")
    chat.header.documents.expect_chosen("notes.txt")


SERVER_FAILED = (
    "Something went wrong on the server (HTTP 500). Try again; if it keeps happening, tell "
    "whoever runs this DocChat."
)


@pytest.mark.browser_errors("status of 500", reason="the faults make the server answer 500")
def test_failures_nobody_planned_for_still_get_a_true_word_on_the_page(
    chat, openai_mock: OpenAIMock, faults: Faults
) -> None:
    faults.new_chats_crash()
    chat.sidebar.press_new_chat()
    chat.expect_problem(SERVER_FAILED)
    reply = openai_mock.reply(["Kept", " safe."], gate_after=1)
    answer = chat.send("Is it saved?")
    answer.expect_streaming("Kept")

    faults.pages_fail_to_render()
    reply.release()

    chat.input_bar.expect_error(
        "The answer is saved, but could not be shown. Reload the page to see it."
    )
    chat.input_bar.expect_idle()
    faults.heal()
    chat.reload()
    chat.messages.last_answer.expect_complete("Kept safe.")
    chat.sidebar.expect_chats("Is it saved?")


def test_chat_settings_the_api_refuses_say_why_and_null_chooses_every_document(
    app, api: Api, files: FileFactory
) -> None:
    app.documents.upload_and_wait(files.text("a.txt", "A."), files.text("b.txt", "B."))
    chat = app.new_chat()
    url = f"/api/sessions/{chat.session_id}"
    chat.header.documents.choose("a.txt")

    refused = [api.call("PATCH", url, {"title": title}) for title in ("", "   ", "T" * 121)]
    every = api.call("PATCH", url, {"document_ids": None})

    for response in refused:
        assert (response.status, response.json()["error"]) == (
            422,
            {"code": "invalid_title", "message": "A chat name needs 1 to 120 characters."},
        )
    assert (every.status, every.json()["document_ids"]) == (200, None)
    chat.reload()
    chat.expect_title("New chat")
    chat.header.documents.expect_chosen("a.txt", "b.txt")


@pytest.mark.browser_errors(statuses=[404], reason="the deleted chat's address is opened again")
def test_deleting_a_chat_asks_first_then_removes_it(page, app) -> None:
    keep = app.new_chat()
    keep.send("Keep this one").expect_complete(NOTHING_FOUND)
    doomed = keep.new_chat()
    doomed.send("Delete this one").expect_complete(NOTHING_FOUND)
    doomed_url = doomed.url

    dialog = doomed.header.delete()
    dialog.expect_question(
        "Delete “Delete this one”?",
        "The chat and all its messages are deleted. Your documents stay.",
    )
    dialog.cancel()
    doomed.expect_title("Delete this one")
    doomed.header.delete().confirm("Delete")

    app.sidebar.expect_chats("Keep this one")
    AppShell(page).open(doomed_url).expect_not_found("Chat session")


@pytest.mark.browser_errors(statuses=[404], reason="chats not there, or not theirs")
def test_unknown_and_other_peoples_chats_are_not_found(page, another_page) -> None:
    mine = AppShell(page).open().new_chat()
    mine.send("Private question").expect_complete(NOTHING_FOUND)

    AppShell(page).open("/c/does-not-exist").expect_not_found("Chat session")
    AppShell(another_page).open(mine.url).expect_not_found("Chat session")
