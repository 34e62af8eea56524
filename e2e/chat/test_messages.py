"""Sending: Enter and Shift+Enter, input methods, length limits, order, Markdown
rendered safely, and what is refused while an answer is being written."""

import re

import pytest

from e2e.harness.clients.api import Api
from e2e.harness.content.chat_data import NOTHING_FOUND, TRY_AGAIN
from e2e.harness.model.openai_mock import OpenAIMock
from pages import AppShell


def test_enter_sends_and_shift_enter_starts_a_new_line(chat, openai_mock: OpenAIMock) -> None:
    chat.input_bar.type("   ")
    chat.input_bar.press_enter()  # nothing but spaces: nothing to send
    chat.messages.expect_count(0)
    chat.input_bar.fill("")

    chat.input_bar.type("First line\nSecond line")
    chat.input_bar.expect_text("First line\nSecond line")
    chat.input_bar.press_enter()

    chat.messages.last_answer.expect_complete(NOTHING_FOUND)
    chat.input_bar.expect_text("")
    assert openai_mock.last_request.messages[-1]["content"] == "First line\nSecond line"
    assert len(openai_mock.requests) == 1  # the blank Enter sent nothing


@pytest.mark.needs("cdp")  # an input method's composition is typed over CDP
def test_enter_that_confirms_an_input_method_composition_does_not_send(
    chat, openai_mock: OpenAIMock
) -> None:
    chat.input_bar.type_with_input_method("東京")

    chat.input_bar.expect_text("東京")
    chat.messages.expect_count(0)
    chat.input_bar.press_enter()  # now it sends
    chat.messages.last_answer.expect_complete(NOTHING_FOUND)
    assert [r.question for r in openai_mock.requests] == ["東京"]


@pytest.mark.settings(max_message_chars=40)
def test_send_waits_for_a_message_of_allowed_length(chat, api: Api) -> None:
    too_long = "Messages can be at most 40 characters."

    chat.input_bar.expect_can_send(False)
    chat.input_bar.fill("   \n  ")
    chat.input_bar.expect_can_send(False)
    chat.input_bar.fill("x" * 41)
    chat.input_bar.expect_error(too_long)
    chat.input_bar.expect_can_send(False)
    chat.input_bar.fill("x" * 40)
    chat.input_bar.expect_can_send(True)

    for content, message in (("  ", "Type a message before sending."), ("x" * 41, too_long)):
        response = api.send_message(chat.session_id, content)
        assert response.status == 422
        assert response.json()["error"]["message"] == message


def test_questions_and_answers_keep_their_order(chat, openai_mock: OpenAIMock) -> None:
    turns = [("One?", "Uno."), ("Two?", "Dos."), ("Three?", "Tres.")]

    for question, text in turns:
        openai_mock.reply([text])
        chat.send(question).expect_complete(text)

    chat.messages.expect_conversation(*turns)
    chat.reload()
    chat.messages.expect_conversation(*turns)


@pytest.mark.devices("desktop", "phone")
def test_a_person_reading_earlier_text_stays_there_and_at_the_end_follows_the_answer(
    chat, openai_mock: OpenAIMock
) -> None:
    lines = [" A long line of text, one of many."] * 60
    for number in range(2):
        openai_mock.reply([f"Answer {number}:", *lines])
        chat.send(f"Question {number}?").expect_complete_containing(f"Answer {number}:")
    reply = openai_mock.reply(["Still", " writing:", *lines], gate_after=2)
    answer = chat.send("One more?")
    answer.expect_streaming("Still writing:")

    chat.messages.scroll_to_start()
    reply.release()

    answer.expect_complete_containing("Still writing:", "one of many.")
    chat.messages.expect_scrolled_to_start()  # not pulled down at each line
    chat.messages.scroll_to_end()
    reply = openai_mock.reply(["And then:", *lines], gate_after=1)
    answer = chat.send("And then?")
    answer.expect_streaming("And then:")
    reply.release()
    answer.expect_complete_containing("And then:", "one of many.")
    chat.messages.expect_scrolled_to_end()  # followed down as it grew


def test_answers_render_markdown_safely_and_can_be_copied(
    page, context, openai_mock: OpenAIMock
) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    markdown = (
        "Steps:\n\n- mix\n- bake\n\n"
        "```python\nprint('hi')\n```\n\n"
        "| city | sea |\n|---|---|\n| Onhava | yes |\n\n"
        "Raw <img src=x onerror=alert(1)> and <script>alert(2)</script> stay text."
    )
    openai_mock.reply(re.findall(r"\s*\S+", markdown))
    answer = AppShell(page).open().new_chat().send("Show me some formatting")

    answer.expect_complete(re.compile("Steps"))
    answer.expect_list("mix", "bake")
    answer.expect_code_block("print('hi')")
    answer.expect_table(["city", "sea"], ["Onhava", "yes"])
    answer.expect_complete_containing(
        "Raw <img src=x onerror=alert(1)> and <script>alert(2)</script> stay text."
    )
    assert answer.copy() == (  # the answer as shown, in both engines
        "Steps:\n\nmix\nbake\nprint('hi')\n\ncity\tsea\nOnhava\tyes\n\n"
        "Raw <img src=x onerror=alert(1)> and <script>alert(2)</script> stay text."
    )


@pytest.mark.settings(render_timeout_s=0.2)
def test_an_answer_too_slow_to_lay_out_is_kept_whole_as_plain_text_laid_out_once(
    chat, openai_mock: OpenAIMock, caplog: pytest.LogCaptureFixture
) -> None:
    """Markdown takes seconds on some text (100,000 `[` take over a second, this app
    allows 0.2): the answer is kept whole as plain text, with a note, from its ending on,
    and no read lays it out again (the server's log says each time it gives up)."""
    text = "**Not bold**, " + "[" * 100_000
    openai_mock.reply([text])

    chat.send("Repeat a bracket").expect_shown_as_plain_text(text)
    chat.reload()
    chat.messages.last_answer.expect_shown_as_plain_text(text)

    kept_plain = "An answer of 100,014 characters is kept as plain text"
    assert [m for m in caplog.messages if m.startswith(kept_plain)] == [
        f"{kept_plain} (laying it out: still running after 0.2 s)."
    ]


def test_an_answer_with_characters_no_database_can_hold_completes_without_them(
    chat, openai_mock: OpenAIMock
) -> None:
    """PostgreSQL holds no NUL, UTF-8 no lone surrogate: NUL is dropped, the other shown as
    the replacement character, and the answer is kept as any other."""
    openai_mock.reply(["Null\x00", " and", " half \ud800", " a pair."])

    chat.send("Odd characters?").expect_complete("Null and half \ufffd a pair.")
    openai_mock.plan(["Null\x00 plan \udfff?"])
    chat.input_bar.choose_mode("Deep research")
    research = chat.send("And a plan?")
    steps = ("Planning the research…", "Searched “Null plan \ufffd?”: nothing found")
    research.expect_steps(*steps)
    chat.reload()
    chat.messages.last_answer.expect_steps(*steps)


def test_a_second_send_while_an_answer_streams_is_refused(
    chat, openai_mock: OpenAIMock, api: Api
) -> None:
    """Two tabs racing to send: e2e/chat/test_live_tabs.py."""
    reply = openai_mock.reply(["Still", " thinking", " — done."], gate_after=1)
    answer = chat.send("Slow question")
    answer.expect_streaming("Still")
    chat.input_bar.fill("Impatient follow-up")

    chat.input_bar.expect_busy()  # the UI will not send
    response = api.send_message(chat.session_id, "Impatient follow-up")

    assert response.status == 409
    assert response.json()["error"]["message"] == "Wait for the current answer, or stop it."
    reply.release()
    answer.expect_complete("Still thinking — done.")
    chat.input_bar.expect_can_send(True)
    chat.messages.expect_conversation(("Slow question", "Still thinking — done."))


def test_retry_is_refused_while_the_answer_is_written_and_for_an_older_answer(
    chat, openai_mock: OpenAIMock, api: Api
) -> None:
    openai_mock.fail(500, times=3)
    chat.send("First?").expect_failed(TRY_AGAIN)
    older = chat.messages.answer(0)
    reply = openai_mock.reply(["Still", " going."], gate_after=1)
    latest = chat.send("Second?")
    latest.expect_streaming("Still")

    writing = api.call("POST", f"/api/messages/{latest.message_id}/retry")
    reply.release()
    latest.expect_complete("Still going.")
    not_latest = api.call("POST", f"/api/messages/{older.message_id}/retry")

    assert (writing.status, writing.json()["error"]) == (
        409,
        {"code": "reply_in_progress", "message": "This answer is still being written."},
    )
    assert (not_latest.status, not_latest.json()["error"]) == (
        409,
        {"code": "not_last", "message": "Only the latest answer in a chat can be retried."},
    )
    assert len(openai_mock.answer_requests) == 4  # three tries of the first, one of the second
