"""How the app looks, on the desktop and on a phone: each key state against its baseline
screenshot (harness/checks/visual.py). The data is fixed by the tests, so no text needs masking."""

import pytest

from e2e.harness.checks.visual import Screenshots
from e2e.harness.content.file_factory import FileFactory
from e2e.harness.model.openai_mock import OpenAIMock

ZEMBLA = "The capital of Zembla is Onhava, a city of glass towers by the sea."
HARBOUR = "Onhava's harbour ships amber and glass to the southern kingdoms every spring."

looks = pytest.mark.devices("desktop", "phone")


@looks
@pytest.mark.browser_errors(statuses=[422], reason="an empty file is refused, for its failed row")
def test_the_app_from_empty_to_documents_and_the_delete_dialog(
    page, app, files: FileFactory, screenshots: Screenshots
) -> None:
    screenshots.expect_look(page, "empty app")

    app.documents.upload_and_wait(files.text("zembla.txt", ZEMBLA))
    app.documents.upload(files.empty("empty.txt"))
    app.documents.row("empty.txt").expect_failed(
        "“empty.txt” is empty. Choose a file with some text in it."
    )
    screenshots.expect_look(page, "documents one failed")  # on a phone: the drawer open

    app.documents.row("zembla.txt").delete().expect_question(
        "Delete “zembla.txt”?",
        "Its file and text are removed from DocChat, and chats can no longer use it.",
    )
    screenshots.expect_look(page, "delete dialog")


@looks
def test_a_chat_streaming_with_sources_researching_and_failing(
    page, app, openai_mock: OpenAIMock, files: FileFactory, screenshots: Screenshots
) -> None:
    # One after the other: uploads at once may be listed in either order.
    app.documents.upload_and_wait(files.text("zembla.txt", ZEMBLA))
    app.documents.upload_and_wait(files.text("harbour.txt", HARBOUR))
    chat = app.new_chat()
    reply = openai_mock.reply(["Onhava", " is the capital [1]."], gate_after=1)
    answer = chat.send("What is the capital of Zembla?")
    answer.expect_streaming("Onhava")
    screenshots.expect_look(page, "answer streaming")
    reply.release()
    answer.expect_complete("Onhava is the capital [1].")
    answer.open_citation("[1] zembla.txt", ZEMBLA)
    screenshots.expect_look(page, "answer with sources")

    openai_mock.plan(["What is the capital?", "What does the harbour ship?"])
    reply = openai_mock.reply(["Amber", " and glass [2]."], gate_after=1)
    chat.input_bar.choose_mode("Deep research")
    answer = chat.send("And its trade?")
    answer.expect_streaming("Amber")
    answer.expect_steps(
        "Planning the research…",
        "Searched “What is the capital?”: 1 passage",
        "Searched “What does the harbour ship?”: 1 passage",
        "Writing the answer from 2 passages…",
    )
    screenshots.expect_look(page, "deep research steps")
    reply.release()
    answer.expect_complete("Amber and glass [2].")

    openai_mock.fail(401)
    chat.send("And its king?").expect_failed(
        "The model service refused the API key. Check DOCCHAT_OPENAI_API_KEY.", retry=False
    )
    screenshots.expect_look(page, "model error")
