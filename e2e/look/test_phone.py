"""On a phone 360 px wide: the sidebar is a drawer behind a Menu button, and the chat takes
the screen's width. (The three happy paths also run on the phone: test_chat_flow.py.)"""

import pytest

from e2e.harness.content.file_factory import FileFactory
from e2e.harness.model.openai_mock import OpenAIMock

phone = pytest.mark.devices("phone")

LONG_NAME = "quarterly-report-of-the-northern-amber-and-glass-trading-company-2026.txt"
# An answer with everything that could push the page wider than the screen.
WIDE_ANSWER = [
    "Onhava [1]. See https://example.com/a/very/long/address/that/never/breaks/anywhere/at/all",
    "\n\n```\nthe_longest_line_of_code_anyone_ever_wrote = call(with_many, arguments, in_it)\n```",
    "\n\n| region | amber | glass | herring | wine |\n|---|---|---|---|---|\n"
    "| Onhava | 1,200 tonnes | 3,400 panes | 9,000 barrels | 120 casks |",
]


@phone
@pytest.mark.browser_errors(statuses=[422], reason="an empty file is refused, for its failed row")
def test_nothing_is_wider_than_the_screen_in_any_main_state(
    app, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    app.expect_fits_width("the empty app")

    app.documents.upload_and_wait(files.text(LONG_NAME, "The capital of Zembla is Onhava."))
    app.documents.upload(files.empty("empty.txt"))
    app.documents.row("empty.txt").expect_failed(
        "“empty.txt” is empty. Choose a file with some text in it."
    )
    app.expect_fits_width("the drawer open, one document failed")

    chat = app.new_chat()
    reply = openai_mock.reply(WIDE_ANSWER, gate_after=1)
    answer = chat.send("What is the capital of Zembla, " + "and what does it trade? " * 8)
    answer.expect_streaming(WIDE_ANSWER[0])
    chat.expect_fits_width("an answer streaming")
    reply.release()
    answer.expect_complete_containing("Onhava [1].", "120 casks")
    answer.open_citation(f"[1] {LONG_NAME}", "The capital of Zembla is Onhava.")
    chat.expect_fits_width("an answer with a link, code, a table and an open source")

    openai_mock.plan(["Zembla's capital?", "Its trade?"])
    openai_mock.fail(401)
    chat.input_bar.choose_mode("Deep research")
    chat.send("And its king?").expect_failed(
        "The model service refused the API key. Check DOCCHAT_OPENAI_API_KEY.", retry=False
    )
    chat.expect_fits_width("research steps and a model error")

    chat.header.rename("Zembla")
    chat.expect_title("Zembla")
    chat.header.delete().expect_question(
        "Delete “Zembla”?", "The chat and all its messages are deleted. Your documents stay."
    )
    chat.expect_fits_width("the delete dialog")


@phone
def test_the_menu_opens_the_drawer_over_the_chat_and_escape_or_a_tap_beside_it_closes_it(
    chat, files: FileFactory
) -> None:
    chat.drawer.expect_open(False)

    chat.drawer.show()
    chat.drawer.expect_open()
    chat.drawer.close_with_escape()

    chat.drawer.show()
    chat.drawer.tap_beside()
    chat.drawer.expect_open(False)
    chat.input_bar.send("Anyone there?")
    chat.messages.last_answer.expect_complete(
        "I could not find anything about that in your documents."
    )


@phone
def test_the_input_bar_stays_on_screen_while_a_long_answer_streams(
    chat, openai_mock: OpenAIMock
) -> None:
    for number in range(3):
        openai_mock.reply([f"Answer {number}:" + " a long line of text." * 40])
        chat.send(f"Question {number}?").expect_complete_containing(f"Answer {number}:")
    reply = openai_mock.reply(["Still", " writing", "."], gate_after=2)

    answer = chat.send("One more?")

    answer.expect_streaming("Still writing")
    answer.expect_in_view()
    chat.input_bar.expect_in_view()
    chat.input_bar.expect_busy()
    chat.input_bar.stop()
    answer.expect_stopped("Still writing")
    reply.release()
