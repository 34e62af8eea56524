"""What the model is sent: its instructions, the numbered sources with where each is
from, the research plan, the earlier exchanges, the question, and, when an answer is
continued, the answer so far with the word to go on."""

from web.llm.prompts import (
    ANSWER_AS,
    CHAT_PROMPT,
    CONTINUE_PROMPT,
    PLAN_PROMPT,
    RESEARCH_PROMPT,
    AnswerRequest,
    build_messages,
    build_plan_messages,
)
from web.retrieval import Passage

PDF_PAGE = Passage(1, "d1", "atlas.pdf", 4, "Onhava is the capital.")
TEXT = Passage(2, "d2", "notes.txt", None, "Amber is the harbour.")
HISTORY = [{"role": "user", "content": "Capital?"}, {"role": "assistant", "content": "Onhava."}]


def system(content: str) -> dict[str, str]:
    return {"role": "system", "content": content}


def user(content: str) -> dict[str, str]:
    return {"role": "user", "content": content}


def test_a_chat_question_comes_after_its_sources_and_the_earlier_exchanges() -> None:
    request = AnswerRequest("Harbour?", [PDF_PAGE, TEXT], history=HISTORY)

    assert build_messages(request) == [
        system(CHAT_PROMPT),
        system(
            "Sources:\n\n[1] atlas.pdf, page 4\nOnhava is the capital.\n\n"
            "[2] notes.txt\nAmber is the harbour."
        ),
        *HISTORY,
        user("Harbour?"),
    ]


def test_a_question_with_no_sources_found_is_sent_without_a_sources_message() -> None:
    assert build_messages(AnswerRequest("Harbour?", [])) == [system(CHAT_PROMPT), user("Harbour?")]


def test_a_research_answer_is_given_its_plan_before_its_sources() -> None:
    request = AnswerRequest("Tell me of Zembla.", [TEXT], "research", sub_questions=["A?", "B?"])

    assert build_messages(request) == [
        system(RESEARCH_PROMPT),
        system("Sub-questions:\n- A?\n- B?"),
        system("Sources:\n\n[1] notes.txt\nAmber is the harbour."),
        user("Tell me of Zembla."),
    ]


def test_an_answer_continued_is_sent_as_it_stands_then_asked_to_go_on() -> None:
    request = AnswerRequest("Harbour?", [], partial="Amber is")

    assert build_messages(request)[-3:] == [
        user("Harbour?"),
        {"role": "assistant", "content": "Amber is"},
        user(CONTINUE_PROMPT),
    ]


def test_a_plan_is_asked_for_within_its_limit_in_the_form_the_server_takes() -> None:
    assert build_plan_messages("Tell me of Zembla.", HISTORY, 3, "list") == [
        system(PLAN_PROMPT.format(limit=3, answer_as=ANSWER_AS["list"])),
        *HISTORY,
        user("Tell me of Zembla."),
    ]
    assert "at most 3 short" in build_plan_messages("Q?", [], 3, "json_schema")[0]["content"]
