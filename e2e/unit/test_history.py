"""Which earlier exchanges a question is asked with: the latest that fit the budget,
each a question and the full answer it got, in the order they were had."""

from web.chat.endings import IN_HISTORY
from web.llm.prompts import recent_exchanges


def said(role: str, content: str, status: str = "done") -> dict[str, str]:
    return {"role": role, "content": content, "status": status}


def exchange(question: str, answer: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]


CHAT = [
    said("user", "Capital?"),  # 8 characters
    said("assistant", "Onhava."),  # 7
    said("user", "Harbour?"),  # 8
    said("assistant", "Amber."),  # 6
]


def test_every_exchange_is_kept_when_the_budget_is_exactly_their_length() -> None:
    assert recent_exchanges(CHAT, budget_chars=29, finished=IN_HISTORY) == [
        *exchange("Capital?", "Onhava."),
        *exchange("Harbour?", "Amber."),
    ]


def test_one_character_short_the_oldest_is_left_out_and_the_latest_kept() -> None:
    assert recent_exchanges(CHAT, budget_chars=28, finished=IN_HISTORY) == exchange(
        "Harbour?", "Amber."
    )


def test_an_exchange_over_the_budget_stops_the_older_ones_that_would_fit() -> None:
    chat = [said("user", "A?"), said("assistant", "B."), *CHAT[2:]]

    assert recent_exchanges(chat, budget_chars=13, finished=IN_HISTORY) == []
    assert recent_exchanges(chat, budget_chars=14, finished=IN_HISTORY) == exchange(
        "Harbour?", "Amber."
    )


def test_answers_that_did_not_end_as_meant_or_said_nothing_are_left_out() -> None:
    chat = [
        said("user", "One?"),
        said("assistant", "Withheld", "filtered"),
        said("user", "Two?"),
        said("assistant", "", "error"),
        said("user", "Three?"),
        said("assistant", "Cut short", "length_limit"),
        said("user", "Four?"),
        said("assistant", "", "done"),
        said("user", "Five?"),
        said("assistant", "No.", "refused"),
    ]

    assert recent_exchanges(chat, budget_chars=1000, finished=IN_HISTORY) == exchange(
        "Three?", "Cut short"
    )


def test_a_question_without_its_answer_yet_is_no_exchange() -> None:
    chat = [*CHAT, said("user", "And now?")]

    assert recent_exchanges(chat, budget_chars=1000, finished=IN_HISTORY) == [
        *exchange("Capital?", "Onhava."),
        *exchange("Harbour?", "Amber."),
    ]


def test_two_questions_in_a_row_are_no_exchange() -> None:
    chat = [said("user", "Capital?"), *CHAT]

    assert recent_exchanges(chat, budget_chars=1000, finished=IN_HISTORY) == [
        *exchange("Capital?", "Onhava."),
        *exchange("Harbour?", "Amber."),
    ]
