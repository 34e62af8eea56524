"""How an answer ended, by what the model said: never a finished answer with nothing in
it, and a note a person can read for each ending that is not plain done."""

import pytest

from web.chat.endings import IN_HISTORY, Said, ending, note
from web.llm.errors import ProviderError

TOOL_CALL = ProviderError(
    "tool_call", "The model tried to use a tool, and DocChat offers none. Try again.", True
)
EMPTY = ProviderError("empty", "The model finished without writing any answer. Try again.", True)
EMPTY_AT_LIMIT = ProviderError(
    "empty", "The model used up its length limit without writing any answer. Try again.", True
)


@pytest.mark.parametrize(
    ("said", "earlier_text", "expected"),
    [
        (Said("Onhava.", "stop"), "", ("done", None)),
        (Said("Onhava.", None), "", ("done", None)),  # no reason given: all it meant to say
        (Said("Onhava.", "eos_token"), "", ("done", None)),  # a reason DocChat does not know
        (Said("Onha", "length"), "", ("length_limit", None)),
        (Said("Onha", "content_filter"), "", ("filtered", None)),
        (Said("", "content_filter"), "", ("filtered", None)),  # withheld from the start
        (Said("I can't help with that.", "stop", refused=True), "", ("refused", None)),
        (Said("", "stop", refused=True), "", ("refused", None)),
        (Said("", "tool_calls"), "", ("error", TOOL_CALL)),
        (Said("", "function_call"), "", ("error", TOOL_CALL)),
        (Said("Let me look.", "stop", used_tool=True), "", ("error", TOOL_CALL)),
        (Said("", "stop"), "", ("error", EMPTY)),
        (Said(" \n\t", "stop"), "", ("error", EMPTY)),
        (Said("", "length"), "", ("error", EMPTY_AT_LIMIT)),
        (Said("", "stop"), "The capital is Onhava", ("done", None)),  # continued, then ended
        (Said("", "length"), "The capital", ("length_limit", None)),
    ],
    ids=[
        "stop",
        "no reason",
        "an unknown reason",
        "length",
        "filtered",
        "filtered before a word",
        "refused, in words",
        "refused, no words",
        "tool_calls",
        "function_call",
        "a tool call beside text",
        "nothing",
        "only blanks",
        "nothing before the limit",
        "continued, nothing more",
        "continued to the limit again",
    ],
)
def test_each_way_a_stream_ends_gives_its_status_and_error(
    said: Said, earlier_text: str, expected: tuple[str, ProviderError | None]
) -> None:
    assert ending(said, earlier_text) == expected


def test_an_answer_never_continued_is_judged_on_its_own_text() -> None:
    assert ending(Said("", "stop")) == ("error", EMPTY)
    assert ending(Said("Onhava.", "stop")) == ("done", None)


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        ("length_limit", "The answer reached the model's length limit."),
        ("filtered", "The model service's content filter withheld the rest of this answer."),
        ("refused", "The model declined to answer. Try asking differently."),
        ("done", None),
        ("error", None),  # its error says it
        ("interrupted", None),
    ],
)
def test_each_ending_but_done_and_failed_has_its_note(status: str, shown: str | None) -> None:
    assert note(status) == shown


def test_only_what_the_model_meant_to_say_goes_into_later_questions_history() -> None:
    assert IN_HISTORY == ("done", "length_limit")
