"""Where an event stream resumes: after the event a reconnecting browser last had
(Last-Event-ID), else `?after=`; an id that could never have been sent is not trusted."""

from collections.abc import Coroutine
from typing import Any

import pytest

from web.streams.sse import MAX_EVENT_ID, resume_point


@pytest.mark.parametrize(
    ("after", "last_event_id", "resumes_after"),
    [
        (0, None, 0),
        (7, None, 7),
        (7, "12", 12),  # the browser's own word wins
        (7, "0", 0),
        (7, "", 7),
        (7, "12a", 7),
        (7, "-3", 7),
        (7, " 12", 7),
        (7, "\u0661\u0662", 7),  # Arabic-Indic digits: digits, but no event id
        (7, str(MAX_EVENT_ID), MAX_EVENT_ID),
        (7, str(MAX_EVENT_ID + 1), MAX_EVENT_ID),  # past any id there can be
        (7, "9" * 40, MAX_EVENT_ID),
    ],
    ids=[
        "neither",
        "after",
        "Last-Event-ID",
        "Last-Event-ID zero",
        "Last-Event-ID empty",
        "letters",
        "negative",
        "a blank",
        "non-ASCII digits",
        "the largest id",
        "one past the largest",
        "forty digits",
    ],
)
def test_a_stream_resumes_after_the_last_event_id_else_after(
    after: int, last_event_id: str | None, resumes_after: int
) -> None:
    assert result(resume_point(after, last_event_id)) == resumes_after


def test_with_neither_a_stream_starts_at_its_first_event() -> None:
    assert result(resume_point()) == 0


def result(coroutine: Coroutine[Any, Any, int]) -> int:
    """What an async function that never waits returns, run without an event loop (a
    browser test before this one in the same worker may have one running: Playwright's)."""
    with pytest.raises(StopIteration) as returned:
        coroutine.send(None)
    return int(returned.value.value)
