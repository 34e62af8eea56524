"""Every main state of the app passes an axe-core scan (no serious or critical violation)
on the desktop and on a phone; the keyboard alone does everything, with the focus where a
person expects it; and a screen reader hears how each answer ends."""

import pytest

from e2e.harness.checks.accessibility import expect_accessible
from e2e.harness.content.chat_data import chat_with_documents
from e2e.harness.content.file_factory import FileFactory
from e2e.harness.model.openai_mock import OpenAIMock
from pages import AppShell
from pages.answer import CUT_OFF, FILTERED, LENGTH_LIMIT

ZEMBLA = "The capital of Zembla is Onhava."


@pytest.mark.devices("desktop", "phone")
@pytest.mark.browser_errors(statuses=[422], reason="an empty file is refused, for its failed row")
def test_the_empty_app_and_the_document_list(page, app, files: FileFactory) -> None:
    expect_accessible(page, "the empty app")

    app.documents.upload_and_wait(files.pdf("report.pdf", ["Revenue grew."]))
    app.documents.upload(files.empty("empty.txt"))
    app.documents.row("empty.txt").expect_failed(
        "“empty.txt” is empty. Choose a file with some text in it."
    )
    expect_accessible(page, "documents listed, one failed")

    app.documents.row("report.pdf").delete()
    expect_accessible(page, "the delete confirmation open")


@pytest.mark.devices("desktop", "phone")
def test_a_chat_while_streaming_when_done_and_with_an_error(
    page, app, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    chat = chat_with_documents(app, files, **{"zembla.txt": ZEMBLA})
    expect_accessible(page, "a new chat")

    reply = openai_mock.reply(["Onhava", " is the capital [1]."], gate_after=1)
    answer = chat.send("What is the capital of Zembla?")
    answer.expect_streaming("Onhava")
    expect_accessible(page, "an answer streaming")
    reply.release()
    answer.expect_complete("Onhava is the capital [1].")
    expect_accessible(page, "an answer done, with its sources")

    openai_mock.fail(401)
    chat.input_bar.choose_mode("Deep research")
    chat.send("And its king?").expect_failed(
        "The model service refused the API key. Check DOCCHAT_OPENAI_API_KEY.", retry=False
    )
    expect_accessible(page, "a model error shown")


@pytest.mark.devices("desktop", "phone")
@pytest.mark.browser_errors(statuses=[404], reason="the page scanned is the not-found page")
def test_the_not_found_page(page) -> None:
    AppShell(page).open("/c/nothing-here").expect_not_found("Chat session")
    expect_accessible(page, "the not-found page")


@pytest.mark.devices("keyboard")
def test_by_keyboard_alone_the_focus_lands_where_a_person_expects_and_endings_are_heard(
    app, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    chat = chat_with_documents(app, files, **{"zembla.txt": ZEMBLA})
    chat.input_bar.expect_focused()  # a new chat: straight to the question

    reply = openai_mock.reply(["Onhava", " is the capital [1]."], gate_after=1)
    answer = chat.send("What is the capital of Zembla?")
    answer.expect_streaming("Onhava")
    chat.expect_announced("DocChat is answering…")
    chat.input_bar.expect_focused()  # from Send, back to the message box
    chat.input_bar.stop()
    answer.expect_stopped("Onhava")
    chat.expect_announced("Answer stopped.")
    chat.input_bar.expect_focused()
    reply.release()

    openai_mock.reply(["Onhava", " is the capital [1]."])
    answer.retry()
    chat.input_bar.expect_focused()
    answer = chat.messages.last_answer
    answer.expect_complete("Onhava is the capital [1].")
    chat.expect_announced("Answer complete.")

    openai_mock.fail(401)
    chat.send("And its king?").expect_failed(
        "The model service refused the API key. Check DOCCHAT_OPENAI_API_KEY.", retry=False
    )
    chat.expect_announced(
        "Answer failed. The model service refused the API key. Check DOCCHAT_OPENAI_API_KEY."
    )

    dialog = chat.header.delete()
    dialog.expect_focus_on("Cancel")  # the safe choice
    dialog.cancel_with_escape()
    chat.header.expect_focused("Delete")


@pytest.mark.parametrize(
    ("end", "heard"),
    [
        ("stop", "Answer complete."),
        ("length", f"Answer ended early. {LENGTH_LIMIT}"),
        ("content_filter", f"Answer ended early. {FILTERED}"),
        ("cut", f"Answer failed. {CUT_OFF}"),
        (
            "error_event",
            "Answer failed. The model service failed mid-answer, saying: "
            "The server had an error while processing your request. Sorry about that! Try again.",
        ),
    ],
    ids=["done", "length limit", "filtered", "cut off", "error mid-answer"],
)
def test_a_screen_reader_hears_each_ending_with_its_reason(
    chat, openai_mock: OpenAIMock, end: str, heard: str
) -> None:
    openai_mock.reply(["Onhava", " is"], end=end)

    chat.send("What is the capital?")

    chat.expect_announced(heard)
