"""Chat and Deep research: research plans and their steps, offline answers, and
switching modes within a conversation."""

import pytest

from e2e.harness.content.chat_data import QUESTION, SOUP, ZEMBLA, ZEMBLA_QUOTE, chat_with_documents
from e2e.harness.content.file_factory import FileFactory
from e2e.harness.model.openai_mock import OpenAIMock


def test_deep_research_with_no_evidence_says_so_instead_of_inventing(
    app, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    chat = chat_with_documents(app, files, **{"soup.txt": SOUP})
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
    app, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    chat = chat_with_documents(app, files, **{"zembla.txt": ZEMBLA, "soup.txt": SOUP})
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
    app, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    chat = chat_with_documents(app, files, **{"zembla.txt": ZEMBLA})
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
    app, files: FileFactory
) -> None:
    chat = chat_with_documents(app, files, **{"zembla.txt": ZEMBLA})
    chat.input_bar.choose_mode("Deep research")

    found = chat.send(QUESTION)

    found.expect_offline_label()
    found.expect_steps(
        "Planning the research…",
        f"Searched “{QUESTION}”: 1 passage",
        "Writing the answer from 1 passage…",
    )
    found.expect_complete_containing("These passages match your question best:")
    found.expect_quoted(ZEMBLA)
    found.expect_citations("[1] zembla.txt")
    nothing = chat.send("Which wine goes with herring?")
    nothing.expect_complete(
        "I searched your documents for: Which wine goes with herring? and found nothing "
        "relevant, so I won't guess an answer. Try other words, or choose other documents "
        "for this chat."
    )


@pytest.mark.settings(openai_api_key=None)
def test_an_offline_answer_quotes_a_markdown_passage_as_the_lines_of_text_it_is(
    app, files: FileFactory
) -> None:
    lines = ["# Zembla", "The capital of Zembla is *Onhava*.", "- amber & glass", "1. herring"]
    app.documents.upload_and_wait(files.text("zembla.md", "\n".join(lines)))

    answer = app.new_chat().send(QUESTION)

    answer.expect_offline_label()
    answer.expect_quoted(*lines)


@pytest.mark.settings(openai_api_key=None)
def test_offline_chat_with_no_matching_passage_says_what_to_do(chat) -> None:
    answer = chat.send("Which wine goes with herring?")

    answer.expect_offline_label()
    answer.expect_complete(
        "Offline answer — no OpenAI API key is configured, so DocChat cannot write an "
        "answer, and no passage in your documents matches the question. Upload documents, "
        "or set DOCCHAT_OPENAI_API_KEY for real answers."
    )


def test_switching_modes_keeps_the_history(
    app, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    chat = chat_with_documents(app, files, **{"zembla.txt": ZEMBLA})
    openai_mock.reply(["Onhava."])
    chat.send(QUESTION).expect_complete("Onhava.")

    chat.input_bar.choose_mode("Deep research")
    chat.send("Who was its king?").expect_complete(ZEMBLA_QUOTE)

    chat.messages.answer(0).expect_mode("Chat")
    chat.messages.answer(1).expect_mode("Deep research")
    synthesis = openai_mock.answer_requests[-1]
    assert synthesis.conversation == [
        ("user", QUESTION),
        ("assistant", "Onhava."),
        ("user", "Who was its king?"),
    ]
    chat.input_bar.choose_mode("Chat")
    chat.send("Thanks!").expect_mode("Chat")
