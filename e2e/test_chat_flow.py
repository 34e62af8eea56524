"""Chat flow, end to end: sessions, messages, document context, modes, persistence, errors."""

import re

import pytest

from e2e.api import Api
from e2e.faults import Faults
from e2e.helpers import FileFactory
from e2e.live_server import LiveServer
from e2e.openai_mock import OpenAIMock
from pages import AppShell, ChatPage

ZEMBLA = (
    "Zembla is a distant northern land. The capital of Zembla is Onhava, "
    "a city of glass towers by the sea. Its king was Charles the Beloved."
)
HARBOUR = "Onhava's harbour ships amber and glass to the southern kingdoms every spring."
SOUP = "Leek soup needs leeks, potatoes and butter. Simmer it for forty minutes."
QUESTION = "What is the capital of Zembla?"
# What the mock's default reply says when given ZEMBLA as the only source.
ZEMBLA_QUOTE = "According to [1]: Zembla is a distant northern land."
# And when given no sources at all (a chat with no documents).
NOTHING_FOUND = "I could not find anything about that in your documents."


def chat_with_documents(page, files: FileFactory, **documents: str) -> ChatPage:
    """Upload text documents (name → text) and open a new chat."""
    app = AppShell(page).open()
    app.documents.upload_and_wait(*(files.text(name, text) for name, text in documents.items()))
    return app.new_chat()


# --- happy path 1: upload → chat → streamed answer -------------------------------------


@pytest.mark.devices("desktop", "phone", "keyboard")
def test_upload_chat_and_receive_a_streamed_answer(
    page, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    reply = openai_mock.reply(["The capital", " of Zembla", " is Onhava", " [1]."], gate_after=2)
    chat = chat_with_documents(page, files, **{"zembla.txt": ZEMBLA})

    answer = chat.send(QUESTION)

    chat.expect_title(QUESTION)  # the first question names the chat
    # Held at the gate: the first two tokens are on screen, the rest is not.
    answer.expect_streaming("The capital of Zembla")
    chat.input_bar.expect_busy()
    reply.release()
    answer.expect_complete("The capital of Zembla is Onhava [1].")
    answer.expect_mode("Chat")
    answer.expect_citations("[1] zembla.txt")
    chat.input_bar.expect_idle()
    assert ZEMBLA in openai_mock.last_request.prompt
    assert openai_mock.last_request.messages[-1] == {"role": "user", "content": QUESTION}

    chat.reload()
    chat.documents.expect_documents("zembla.txt")
    chat.expect_title(QUESTION)
    chat.messages.expect_conversation((QUESTION, reply.text))


# --- sessions --------------------------------------------------------------------------


def test_chats_are_listed_most_recent_first_and_open_by_url(page) -> None:
    app = AppShell(page).open()
    first = app.new_chat()
    first.send("First question?").expect_complete(NOTHING_FOUND)
    first_url = first.url
    second = first.new_chat()
    second.send("Second question?").expect_complete(NOTHING_FOUND)
    second.expect_chats("Second question?", "First question?")

    first = ChatPage(page).open(first_url)
    first.send("A follow-up?").expect_complete(NOTHING_FOUND)

    first.reload()
    first.expect_chats("First question?", "Second question?")
    first.expect_title("First question?")
    second = first.open_chat("Second question?")
    second.expect_title("Second question?")
    expect_questions(second, "Second question?")


def expect_questions(chat: ChatPage, *questions: str) -> None:
    chat.messages.expect_conversation(*((q, NOTHING_FOUND) for q in questions))


def test_a_chat_is_named_after_its_first_question_cut_to_sixty_characters(page) -> None:
    chat = AppShell(page).open().new_chat()
    question = "How did the harbour of Onhava become the busiest amber port in the north?"

    chat.send(question).expect_complete(NOTHING_FOUND)

    chat.expect_title(question[:59] + "…")
    chat.send("And then?").expect_complete(NOTHING_FOUND)
    chat.expect_title(question[:59] + "…")  # named once, by the first question


def test_a_chat_can_be_renamed(page, live_server: LiveServer) -> None:
    chat = AppShell(page).open().new_chat()
    chat.send("Where is Zembla?").expect_complete(NOTHING_FOUND)

    chat.rename("Zembla notes")

    chat.expect_title("Zembla notes")
    live_server.restart()
    chat.reload()
    chat.expect_title("Zembla notes")
    chat.send("And its capital?").expect_complete(NOTHING_FOUND)
    chat.expect_title("Zembla notes")  # a named chat keeps its name


def test_renaming_can_be_cancelled_and_a_blank_name_changes_nothing(page, api: Api) -> None:
    chat = AppShell(page).open().new_chat()

    chat.rename("Thrown away", button="Cancel")
    chat.rename("   ")

    chat.expect_title("New chat")
    chat.reload()
    chat.expect_title("New chat")


SAVE_REFUSED = (
    "The server could not save your change because its database is read-only. Nothing was "
    "saved. Try again later, or tell whoever runs this DocChat."
)


@pytest.mark.browser_errors(statuses=[507], reason="the database refuses every change")
def test_chat_changes_the_server_cannot_save_are_refused_on_the_page_and_change_nothing(
    page, faults: Faults, files: FileFactory, openai_mock: OpenAIMock
) -> None:
    app = AppShell(page).open()
    app.documents.upload_and_wait(files.text("notes.txt", "Notes."))
    chat = app.new_chat()
    openai_mock.fail(500, times=3)
    chat.send("Hello?").expect_failed(TRY_AGAIN)
    faults.database_read_only()

    chat.ask_for_new_chat()
    chat.expect_problem(SAVE_REFUSED)
    chat.rename("Renamed")
    chat.expect_problem(SAVE_REFUSED)
    chat.delete().confirm("Delete")
    chat.expect_problem(SAVE_REFUSED)
    chat.chat_documents.toggle("notes.txt")
    chat.chat_documents.expect_error(SAVE_REFUSED)
    chat.messages.last_answer.retry()
    chat.input_bar.expect_error(SAVE_REFUSED)
    chat.input_bar.expect_idle()

    faults.heal()
    chat.reload()
    chat.expect_chats("Hello?")
    chat.expect_title("Hello?")
    chat.chat_documents.expect_chosen("notes.txt")


SERVER_FAILED = (
    "Something went wrong on the server (HTTP 500). Try again; if it keeps happening, tell "
    "whoever runs this DocChat."
)


@pytest.mark.browser_errors("status of 500", reason="the faults make the server answer 500")
def test_failures_nobody_planned_for_still_get_a_true_word_on_the_page(
    page, openai_mock: OpenAIMock, faults: Faults
) -> None:
    chat = AppShell(page).open().new_chat()
    faults.new_chats_crash()
    chat.ask_for_new_chat()
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
    chat.expect_chats("Is it saved?")


def test_chat_settings_the_api_refuses_say_why_and_null_chooses_every_document(
    page, api: Api, files: FileFactory
) -> None:
    app = AppShell(page).open()
    app.documents.upload_and_wait(files.text("a.txt", "A."), files.text("b.txt", "B."))
    chat = app.new_chat()
    url = f"/api/sessions/{chat.session_id}"
    chat.chat_documents.choose("a.txt")

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
    chat.chat_documents.expect_chosen("a.txt", "b.txt")


@pytest.mark.browser_errors(statuses=[404], reason="the deleted chat's address is opened again")
def test_deleting_a_chat_asks_first_then_removes_it(page) -> None:
    app = AppShell(page).open()
    keep = app.new_chat()
    keep.send("Keep this one").expect_complete(NOTHING_FOUND)
    doomed = keep.new_chat()
    doomed.send("Delete this one").expect_complete(NOTHING_FOUND)
    doomed_url = doomed.url

    dialog = doomed.delete()
    dialog.expect_question(
        "Delete “Delete this one”?",
        "The chat and all its messages are deleted. Your documents stay.",
    )
    dialog.cancel()
    doomed.expect_title("Delete this one")
    doomed.delete().confirm("Delete")

    app.expect_chats("Keep this one")
    AppShell(page).open(doomed_url).expect_not_found("Chat session")


@pytest.mark.browser_errors(statuses=[404], reason="chats not there, or not theirs")
def test_unknown_and_other_peoples_chats_are_not_found(page, another_page) -> None:
    mine = AppShell(page).open().new_chat()
    mine.send("Private question").expect_complete(NOTHING_FOUND)

    AppShell(page).open("/c/does-not-exist").expect_not_found("Chat session")
    AppShell(another_page).open(mine.url).expect_not_found("Chat session")


# --- messages --------------------------------------------------------------------------


def test_enter_sends_and_shift_enter_starts_a_new_line(page, openai_mock: OpenAIMock) -> None:
    chat = AppShell(page).open().new_chat()
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


def test_enter_that_confirms_an_input_method_composition_does_not_send(
    page, openai_mock: OpenAIMock
) -> None:
    chat = AppShell(page).open().new_chat()

    chat.input_bar.type_with_input_method("東京")

    chat.input_bar.expect_text("東京")
    chat.messages.expect_count(0)
    chat.input_bar.press_enter()  # now it sends
    chat.messages.last_answer.expect_complete(NOTHING_FOUND)
    assert [r.question for r in openai_mock.requests] == ["東京"]


@pytest.mark.settings(max_message_chars=40)
def test_send_waits_for_a_message_of_allowed_length(page, api: Api) -> None:
    chat = AppShell(page).open().new_chat()
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


def test_questions_and_answers_keep_their_order(page, openai_mock: OpenAIMock) -> None:
    chat = AppShell(page).open().new_chat()
    turns = [("One?", "Uno."), ("Two?", "Dos."), ("Three?", "Tres.")]

    for question, text in turns:
        openai_mock.reply([text])
        chat.send(question).expect_complete(text)

    chat.messages.expect_conversation(*turns)
    chat.reload()
    chat.messages.expect_conversation(*turns)


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
    copied = answer.copy()
    assert "print('hi')" in copied and "Onhava" in copied


def test_a_second_send_while_an_answer_streams_is_refused(
    page, openai_mock: OpenAIMock, api: Api
) -> None:
    """Two tabs racing to send: e2e/test_live_tabs.py."""
    reply = openai_mock.reply(["Still", " thinking", " — done."], gate_after=1)
    chat = AppShell(page).open().new_chat()
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
    page, openai_mock: OpenAIMock, api: Api
) -> None:
    openai_mock.fail(500, times=3)
    chat = AppShell(page).open().new_chat()
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


# --- document context ------------------------------------------------------------------


def test_answers_use_only_the_chosen_documents_and_cite_them(
    page, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    chat = chat_with_documents(page, files, **{"zembla.txt": ZEMBLA, "soup.txt": SOUP})
    chat.chat_documents.expect_chosen("zembla.txt", "soup.txt")  # all of them by default

    chat.chat_documents.choose("zembla.txt")
    answer = chat.send("Capital of Zembla, and what soup needs leeks?")

    answer.expect_complete(ZEMBLA_QUOTE)
    prompt = openai_mock.last_request.prompt
    assert ZEMBLA in prompt
    assert "Leek soup" not in prompt
    answer.expect_citations("[1] zembla.txt")
    answer.open_citation("[1] zembla.txt", ZEMBLA)
    chat.reload()
    chat.chat_documents.expect_chosen("zembla.txt")

    chat.chat_documents.choose("soup.txt")
    chat.send("And the soup?").expect_complete(re.compile("Leek soup"))
    assert "Leek soup" in openai_mock.last_request.prompt
    assert ZEMBLA not in openai_mock.last_request.prompt


def test_grouped_citations_name_each_source_and_long_passages_open_shortened(
    page, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    def about_amber(mentions: int, filler: str) -> str:  # the same length, more or less amber
        return ("Amber is found here. " * mentions + f"{filler} " * 40)[:330].strip()

    north, west, south = about_amber(3, "north"), about_amber(2, "west"), about_amber(1, "south")
    chat = chat_with_documents(
        page, files, **{"north.txt": north, "west.txt": west, "south.txt": south}
    )
    openai_mock.reply(["Amber", " is found", " here [1, 3]."])
    openai_mock.reply(["And", " there [2\u20133]."])  # an en dash, as models write ranges

    first = chat.send("Where is amber found?")  # ranked by how often they say it
    first.expect_complete("Amber is found here [1, 3].")
    first.expect_citations("[1] north.txt", "[3] south.txt")
    first.open_citation("[1] north.txt", " ".join(north.split())[:279] + "…")
    second = chat.send("And amber elsewhere?")
    second.expect_complete("And there [2\u20133].")
    second.expect_citations("[2] west.txt", "[3] south.txt")


def test_a_question_of_only_common_words_searches_nothing_and_no_documents_chosen_neither(
    page, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    chat = chat_with_documents(page, files, **{"zembla.txt": ZEMBLA})

    chat.send("What is it, and where is it?").expect_complete(NOTHING_FOUND)
    assert "Sources:" not in openai_mock.last_request.prompt
    chat.chat_documents.choose()  # none at all
    chat.send(QUESTION).expect_complete(NOTHING_FOUND)
    assert "Sources:" not in openai_mock.last_request.prompt


@pytest.mark.settings(context_passages=2)
def test_a_chat_question_carries_at_most_the_configured_number_of_passages(
    page, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    chat = chat_with_documents(
        page, files, **{"a.txt": "Amber, amber.", "b.txt": "Amber.", "c.txt": "Amber here."}
    )

    answer = chat.send("Amber?")

    answer.expect_citations("[1] a.txt", re.compile(r"^\[2\] [bc]\.txt$"))
    assert re.findall(r"^\[(\d+)\] ", openai_mock.last_request.prompt, re.M) == ["1", "2"]


def test_a_citation_names_the_pdf_page_and_opens_to_its_passage(
    page, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    report = files.pdf("report.pdf", ["Introduction and thanks.", "Revenue grew by 12 percent."])
    app = AppShell(page).open()
    app.documents.upload_and_wait(report)
    openai_mock.reply(["Revenue grew", " by 12% [1]."])

    answer = app.new_chat().send("How much did revenue grow?")

    answer.expect_complete("Revenue grew by 12% [1].")
    answer.expect_citations("[1] report.pdf, page 2")
    answer.open_citation("[1] report.pdf, page 2", "Revenue grew by 12 percent.")


def test_without_documents_it_is_plain_chat(page, openai_mock: OpenAIMock) -> None:
    openai_mock.reply(["Hello", " there."])
    answer = AppShell(page).open().new_chat().send("Hi!")

    answer.expect_complete("Hello there.")
    answer.expect_citations()
    assert [m["role"] for m in openai_mock.last_request.messages] == ["system", "user"]


@pytest.mark.settings(history_budget_chars=20)
def test_earlier_turns_go_into_the_prompt_within_the_history_budget(
    page, openai_mock: OpenAIMock
) -> None:
    chat = AppShell(page).open().new_chat()
    for question, text in (("Oldest question?", "Oldest answer."), ("Newer one?", "Newer.")):
        openai_mock.reply([text])
        chat.send(question).expect_complete(text)

    chat.send("Latest?").expect_complete(NOTHING_FOUND)

    assert openai_mock.last_request.messages[1:] == [
        {"role": "user", "content": "Newer one?"},
        {"role": "assistant", "content": "Newer."},
        {"role": "user", "content": "Latest?"},
    ]  # the oldest exchange no longer fits in 20 characters


def test_an_answer_that_failed_or_was_stopped_empty_is_left_out_of_the_history(
    page, openai_mock: OpenAIMock
) -> None:
    chat = AppShell(page).open().new_chat()
    openai_mock.reply(["Kept."])
    chat.send("Kept question?").expect_complete("Kept.")
    openai_mock.fail(401)
    chat.send("Failed question?").expect_failed(
        "The model service refused the API key. Check DOCCHAT_OPENAI_API_KEY.", retry=False
    )
    stopped = openai_mock.reply(["Never", " shown."], gate_after=0)
    chat.send("Stopped question?")
    chat.input_bar.stop()
    stopped.closed_early.expect()

    chat.send("Latest?").expect_complete(NOTHING_FOUND)

    assert openai_mock.last_request.messages[1:] == [
        {"role": "user", "content": "Kept question?"},
        {"role": "assistant", "content": "Kept."},
        {"role": "user", "content": "Latest?"},
    ]


# --- modes -----------------------------------------------------------------------------


@pytest.mark.devices("desktop", "phone", "keyboard")
def test_deep_research_over_several_documents_streams_steps_and_cites_each(
    page, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    """Happy path 2: several documents → deep research → a streamed answer with citations."""
    chat = chat_with_documents(
        page, files, **{"zembla.txt": ZEMBLA, "harbour.txt": HARBOUR, "soup.txt": SOUP}
    )
    openai_mock.plan(["What is the capital of Zembla?", "What does the harbour ship?"])
    reply = openai_mock.reply(
        ["Onhava is the capital [1]", " and its harbour", " ships amber [2]."], gate_after=2
    )

    chat.input_bar.choose_mode("Deep research")
    answer = chat.send("Tell me about Zembla's capital and its trade")

    answer.expect_streaming("Onhava is the capital [1] and its harbour")
    answer.expect_steps(
        "Planning the research…",
        "Searched “What is the capital of Zembla?”: 1 passage",
        "Searched “What does the harbour ship?”: 1 passage",
        "Writing the answer from 2 passages…",
    )
    reply.release()
    answer.expect_complete("Onhava is the capital [1] and its harbour ships amber [2].")
    answer.expect_mode("Deep research")
    answer.expect_citations("[1] zembla.txt", "[2] harbour.txt")

    plan, synthesis = openai_mock.requests
    assert plan.body["response_format"]["type"] == "json_schema"
    assert synthesis.messages[0]["content"].startswith("You are DocChat in deep research mode.")
    assert ZEMBLA in synthesis.prompt and HARBOUR in synthesis.prompt
    assert SOUP not in synthesis.prompt

    chat.reload()
    answer = chat.messages.last_answer
    answer.expect_steps(
        "Planning the research…",
        "Searched “What is the capital of Zembla?”: 1 passage",
        "Searched “What does the harbour ship?”: 1 passage",
        "Writing the answer from 2 passages…",
    )
    answer.expect_citations("[1] zembla.txt", "[2] harbour.txt")
    chat.input_bar.expect_mode("Deep research")


def test_deep_research_with_no_evidence_says_so_instead_of_inventing(
    page, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    chat = chat_with_documents(page, files, **{"soup.txt": SOUP})
    openai_mock.plan(["Who built the glass towers?"])
    chat.input_bar.choose_mode("Deep research")

    answer = chat.send("Who built Onhava's glass towers?")

    answer.expect_complete(
        "I searched your documents for: Who built the glass towers? and found nothing "
        "relevant, so I won't guess an answer. Try other words, or choose other documents "
        "for this chat."
    )
    answer.expect_citations()
    assert openai_mock.answer_requests == []  # nothing was asked to write from nothing


@pytest.mark.settings(research_sub_questions=2)
def test_a_research_plan_is_searched_once_per_distinct_sub_question_up_to_the_cap(
    page, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    chat = chat_with_documents(page, files, **{"zembla.txt": ZEMBLA, "soup.txt": SOUP})
    openai_mock.plan(["Zembla's capital?", "Zembla's capital?", "Leek soup?", "Anything else?"])
    openai_mock.reply(["Onhava [1]."])
    chat.input_bar.choose_mode("Deep research")

    answer = chat.send("Zembla and soup?")

    answer.expect_complete("Onhava [1].")
    answer.expect_steps(
        "Planning the research…",
        "Searched “Zembla's capital?”: 1 passage",
        "Searched “Leek soup?”: 1 passage",
        "Writing the answer from 2 passages…",
    )


def test_a_research_plan_that_is_not_the_json_asked_for_searches_the_question_itself(
    page, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    chat = chat_with_documents(page, files, **{"zembla.txt": ZEMBLA})
    openai_mock.unusable_plan("Sure! First I would look up the capital, then its king.")
    chat.input_bar.choose_mode("Deep research")

    answer = chat.send(QUESTION)

    answer.expect_complete(ZEMBLA_QUOTE)
    answer.expect_steps(
        "Planning the research…",
        f"Searched “{QUESTION}”: 1 passage",
        "Writing the answer from 1 passage…",
    )


@pytest.mark.settings(openai_api_key=None)
def test_offline_deep_research_searches_the_question_and_quotes_what_it_finds(
    page, files: FileFactory
) -> None:
    chat = chat_with_documents(page, files, **{"zembla.txt": ZEMBLA})
    chat.input_bar.choose_mode("Deep research")

    found = chat.send(QUESTION)

    found.expect_offline_label()
    found.expect_steps(
        "Planning the research…",
        f"Searched “{QUESTION}”: 1 passage",
        "Writing the answer from 1 passage…",
    )
    found.expect_complete_containing("The capital of Zembla is Onhava")
    found.expect_citations("[1] zembla.txt")
    nothing = chat.send("Which wine goes with herring?")
    nothing.expect_complete(
        "I searched your documents for: Which wine goes with herring? and found nothing "
        "relevant, so I won't guess an answer. Try other words, or choose other documents "
        "for this chat."
    )


@pytest.mark.settings(openai_api_key=None)
def test_an_offline_answer_quotes_a_markdown_passage_as_the_lines_of_text_it_is(
    page, files: FileFactory
) -> None:
    lines = ["# Zembla", "The capital of Zembla is *Onhava*.", "- amber & glass", "1. herring"]
    app = AppShell(page).open()
    app.documents.upload_and_wait(files.text("zembla.md", "\n".join(lines)))

    answer = app.new_chat().send(QUESTION)

    answer.expect_offline_label()
    answer.expect_quoted(*lines)


@pytest.mark.settings(openai_api_key=None)
def test_offline_chat_with_no_matching_passage_says_what_to_do(page) -> None:
    answer = AppShell(page).open().new_chat().send("Which wine goes with herring?")

    answer.expect_offline_label()
    answer.expect_complete(
        "Offline answer — no OpenAI API key is configured, so DocChat cannot write an "
        "answer, and no passage in your documents matches the question. Upload documents, "
        "or set DOCCHAT_OPENAI_API_KEY for real answers."
    )


def test_switching_modes_keeps_the_history(
    page, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    chat = chat_with_documents(page, files, **{"zembla.txt": ZEMBLA})
    openai_mock.reply(["Onhava."])
    chat.send(QUESTION).expect_complete("Onhava.")

    chat.input_bar.choose_mode("Deep research")
    chat.send("Who was its king?").expect_complete(ZEMBLA_QUOTE)

    chat.messages.answer(0).expect_mode("Chat")
    chat.messages.answer(1).expect_mode("Deep research")
    synthesis = openai_mock.answer_requests[-1]
    assert {"role": "user", "content": QUESTION} in synthesis.messages
    assert {"role": "assistant", "content": "Onhava."} in synthesis.messages
    chat.input_bar.choose_mode("Chat")
    chat.send("Thanks!").expect_mode("Chat")


# --- persistence -----------------------------------------------------------------------


@pytest.mark.devices("desktop", "phone", "keyboard")
def test_a_chat_resumes_elsewhere_and_after_a_restart_with_its_history(
    page, context, new_context, live_server: LiveServer, openai_mock: OpenAIMock, files
) -> None:
    """Happy path 3: session persistence → resume → continue with the history."""
    chat = chat_with_documents(page, files, **{"zembla.txt": ZEMBLA, "soup.txt": SOUP})
    chat.chat_documents.choose("zembla.txt")
    chat.input_bar.choose_mode("Deep research")
    first = chat.send(QUESTION)
    first.expect_complete(ZEMBLA_QUOTE)

    # Another tab of the same browser (same cookie), straight to the chat's URL.
    elsewhere = ChatPage(new_context(storage_state=context.storage_state()).new_page())
    elsewhere.open(chat.url)
    expect_resumed(elsewhere)

    live_server.restart()
    chat.reload()
    expect_resumed(chat)
    chat.input_bar.choose_mode("Chat")
    chat.send("Who was its king?").expect_complete(ZEMBLA_QUOTE)
    assert openai_mock.last_request.messages[-3:] == [
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": ZEMBLA_QUOTE},
        {"role": "user", "content": "Who was its king?"},
    ]


def expect_resumed(chat: ChatPage) -> None:
    chat.expect_title(QUESTION)
    chat.messages.expect_conversation((QUESTION, ZEMBLA_QUOTE))
    chat.messages.last_answer.expect_mode("Deep research")
    chat.messages.last_answer.expect_citations("[1] zembla.txt")
    chat.chat_documents.expect_chosen("zembla.txt")
    chat.input_bar.expect_mode("Deep research")


# --- errors ----------------------------------------------------------------------------

TRY_AGAIN = "The model service is having problems. Try again."


@pytest.mark.parametrize(
    ("failure", "message", "retryable", "calls"),
    [
        ("401", "The model service refused the API key. Check DOCCHAT_OPENAI_API_KEY.", False, 1),
        (
            "403",
            "The model service does not let this API key use the model. "
            "Check DOCCHAT_OPENAI_API_KEY and DOCCHAT_MODEL.",
            False,
            1,
        ),
        (
            "404",
            "The model service says: The model `gpt-4o-mini` does not exist or you do not "
            "have access to it. Check DOCCHAT_MODEL.",
            False,
            1,
        ),
        ("400", "The question and its context are too long for the model.", False, 1),
        (
            "422",
            "The model service says: Input should be a valid string: messages.0.content",
            False,
            1,
        ),
        (
            "429",
            "The model service is rate limiting requests. Try again in 20 seconds.",
            True,
            1,  # waiting 20 s is not worth it: the person decides
        ),
        ("500", TRY_AGAIN, True, 3),
        ("503", TRY_AGAIN, True, 3),
        ("timeout", "The model took too long to answer. Try again.", True, 3),
    ],
)
def test_provider_errors_become_clear_messages(
    page, openai_mock: OpenAIMock, failure: str, message: str, retryable: bool, calls: int
) -> None:
    if failure == "timeout":
        openai_mock.time_out(times=calls)
    else:
        headers = {"retry-after": "20"} if failure == "429" else None
        openai_mock.fail(int(failure), headers=headers, times=calls)
    chat = AppShell(page).open().new_chat()

    answer = chat.send("Hello?")

    answer.expect_failed(message, retry=retryable)
    chat.input_bar.expect_idle()
    assert len(openai_mock.requests) == calls


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("database_read_only", "its database is read-only"),
        ("database_full", "the disk is full"),
        ("database_locked", "its database is unavailable"),
    ],
)
@pytest.mark.browser_errors(statuses=[507], reason="the database refuses the question")
def test_a_question_the_database_cannot_take_is_refused_plainly_and_kept_in_the_box(
    page, faults: Faults, fault: str, reason: str
) -> None:
    chat = AppShell(page).open().new_chat()
    question = "A question longer than a page of the database. " * 100  # needs pages to grow
    getattr(faults, fault)()

    chat.input_bar.send(question)

    chat.input_bar.expect_error(
        f"The server could not save your change because {reason}. Nothing was saved. "
        "Try again later, or tell whoever runs this DocChat."
    )
    chat.input_bar.expect_text(question)
    faults.heal()
    chat.reload()
    chat.messages.expect_count(0)
    chat.expect_title("New chat")
    chat.send("Now?").expect_complete(NOTHING_FOUND)


def test_transient_failures_are_retried_before_anyone_sees_them(
    page, openai_mock: OpenAIMock
) -> None:
    openai_mock.fail(503)
    openai_mock.fail(429)  # no Retry-After: backoff
    openai_mock.reply(["Third", " time lucky."])

    answer = AppShell(page).open().new_chat().send("Hello?")

    answer.expect_complete("Third time lucky.")
    assert len(openai_mock.requests) == 3


def test_retry_writes_a_new_answer_without_repeating_the_question(
    page, openai_mock: OpenAIMock
) -> None:
    openai_mock.fail(500, times=3)
    chat = AppShell(page).open().new_chat()
    chat.send("Hello?").expect_failed(TRY_AGAIN)
    openai_mock.reply(["Hello", " again."])

    chat.messages.last_answer.retry()

    chat.messages.last_answer.expect_complete("Hello again.")
    chat.messages.expect_conversation(("Hello?", "Hello again."))
    assert [m["content"] for m in openai_mock.last_request.messages if m["role"] == "user"] == [
        "Hello?"
    ]
    chat.reload()
    chat.messages.expect_conversation(("Hello?", "Hello again."))


@pytest.mark.settings(openai_api_key=None)
def test_without_an_api_key_the_offline_answerer_quotes_the_best_passage(
    page, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    app = AppShell(page).open()
    app.documents.upload_and_wait(files.markdown("atlas.md", "Atlas", {"Zembla": ZEMBLA}))

    answer = app.new_chat().send(QUESTION)

    answer.expect_offline_label()
    answer.expect_complete_containing("The capital of Zembla is Onhava")
    answer.expect_citations("[1] atlas.md")
    assert openai_mock.requests == []
