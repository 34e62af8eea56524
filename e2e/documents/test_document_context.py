"""What an answer is drawn from: the chosen documents, the passages found in them, their
citations, and the conversation so far."""

import re

import pytest

from e2e.harness.content.chat_data import (
    NOTHING_FOUND,
    QUESTION,
    SOUP,
    ZEMBLA,
    ZEMBLA_QUOTE,
    chat_with_documents,
)
from e2e.harness.content.file_factory import FileFactory
from e2e.harness.model.openai_mock import OpenAIMock
from e2e.harness.server.faults import Faults


def test_answers_use_only_the_chosen_documents_and_cite_them(
    app, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    chat = chat_with_documents(app, files, **{"zembla.txt": ZEMBLA, "soup.txt": SOUP})
    chat.header.documents.expect_chosen("zembla.txt", "soup.txt")  # all of them by default

    chat.header.documents.choose("zembla.txt")
    answer = chat.send("Capital of Zembla, and what soup needs leeks?")

    answer.expect_complete(ZEMBLA_QUOTE)
    assert openai_mock.last_request.sources == [f"[1] zembla.txt\n{ZEMBLA}"]  # no soup
    answer.expect_citations("[1] zembla.txt")
    answer.open_citation("[1] zembla.txt", ZEMBLA)
    chat.reload()
    chat.header.documents.expect_chosen("zembla.txt")

    chat.header.documents.choose("soup.txt")
    chat.send("And the soup?").expect_complete(
        "According to [1]: Leek soup needs leeks, potatoes and butter."
    )
    assert openai_mock.last_request.sources == [f"[1] soup.txt\n{SOUP}"]


def test_grouped_citations_name_each_source_and_long_passages_open_shortened(
    app, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    def about_amber(mentions: int, filler: str) -> str:  # the same length, more or less amber
        return ("Amber is found here. " * mentions + f"{filler} " * 40)[:330].strip()

    north, west, south = about_amber(3, "north"), about_amber(2, "west"), about_amber(1, "south")
    chat = chat_with_documents(
        app, files, **{"north.txt": north, "west.txt": west, "south.txt": south}
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
    app, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    chat = chat_with_documents(app, files, **{"zembla.txt": ZEMBLA})

    chat.send("What is it, and where is it?").expect_complete(NOTHING_FOUND)
    assert "Sources:" not in openai_mock.last_request.prompt
    chat.header.documents.choose()  # none at all
    chat.send(QUESTION).expect_complete(NOTHING_FOUND)
    assert "Sources:" not in openai_mock.last_request.prompt


@pytest.mark.settings(context_passages=2)
def test_a_chat_question_carries_at_most_the_configured_number_of_passages(
    app, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    chat = chat_with_documents(
        app, files, **{"a.txt": "Amber, amber.", "b.txt": "Amber.", "c.txt": "Amber here."}
    )

    answer = chat.send("Amber?")

    answer.expect_citations("[1] a.txt", re.compile(r"^\[2\] [bc]\.txt$"))
    assert re.findall(r"^\[(\d+)\] ", openai_mock.last_request.prompt, re.M) == ["1", "2"]


def test_a_citation_names_the_pdf_page_and_opens_to_its_passage(
    app, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    report = files.pdf("report.pdf", ["Introduction and thanks.", "Revenue grew by 12 percent."])
    app.documents.upload_and_wait(report)
    openai_mock.reply(["Revenue grew", " by 12% [1]."])

    answer = app.new_chat().send("How much did revenue grow?")

    answer.expect_complete("Revenue grew by 12% [1].")
    answer.expect_citations("[1] report.pdf, page 2")
    answer.open_citation("[1] report.pdf, page 2", "Revenue grew by 12 percent.")


def test_without_documents_it_is_plain_chat(chat, openai_mock: OpenAIMock) -> None:
    openai_mock.reply(["Hello", " there."])
    answer = chat.send("Hi!")

    answer.expect_complete("Hello there.")
    answer.expect_citations()
    assert [m["role"] for m in openai_mock.last_request.messages] == ["system", "user"]


@pytest.mark.settings(history_budget_chars=20)
def test_earlier_turns_go_into_the_prompt_within_the_history_budget(
    chat, openai_mock: OpenAIMock
) -> None:
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
    chat, openai_mock: OpenAIMock
) -> None:
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


# --- documents still being read ---------------------------------------------------------


WAITING = "Waiting for zembla.txt to be read…"
RESEARCHED = (
    "Planning the research…",
    f"Searched “{QUESTION}”: 1 passage",
    "Writing the answer from 1 passage…",
)


@pytest.mark.parametrize(("mode", "then"), [("Chat", ()), ("Deep research", RESEARCHED)])
def test_a_question_asked_while_its_document_is_read_waits_for_it_and_answers_from_it(
    app,
    faults: Faults,
    openai_mock: OpenAIMock,
    files: FileFactory,
    mode: str,
    then: tuple[str, ...],
) -> None:
    processing = faults.hold_processing()
    app.documents.upload(files.text("zembla.txt", ZEMBLA))
    processing.expect_reached()
    chat = app.new_chat()
    chat.input_bar.choose_mode(mode)

    answer = chat.send(QUESTION)

    answer.expect_steps(WAITING)
    answer.expect_streaming("")  # never "nothing matches" while the document is on its way
    processing.release()
    answer.expect_complete(ZEMBLA_QUOTE)
    answer.expect_steps(WAITING, *then)
    assert "[1] zembla.txt\n" + ZEMBLA in openai_mock.last_request.prompt


def test_a_document_that_fails_while_a_question_waits_is_named_and_the_rest_answer(
    app, faults: Faults, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    app.documents.upload_and_wait(files.text("zembla.txt", ZEMBLA))
    processing = faults.hold_processing()
    app.documents.upload(files.pdf_without_text("scan.pdf"))
    processing.expect_reached()
    chat = app.new_chat()

    answer = chat.send(QUESTION)

    answer.expect_steps("Waiting for scan.pdf to be read…")
    processing.release()
    answer.expect_complete(ZEMBLA_QUOTE)
    answer.expect_steps(
        "Waiting for scan.pdf to be read…",
        "scan.pdf could not be read, so the answer leaves it out.",
    )


def test_stop_ends_a_question_waiting_for_its_document(
    app, faults: Faults, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    processing = faults.hold_processing()
    app.documents.upload(files.text("zembla.txt", ZEMBLA))
    processing.expect_reached()
    chat = app.new_chat()
    answer = chat.send(QUESTION)
    answer.expect_steps(WAITING)

    chat.input_bar.stop()

    answer.expect_stopped("")
    assert openai_mock.requests == []  # the model was never asked
    processing.release()
    app.documents.row("zembla.txt").expect_ready()
