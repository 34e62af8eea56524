"""Tests that fail on purpose, run only by e2e/suite/test_reporting.py to check failure reports.

Collected only when DOCCHAT_SELFTEST=1 (see e2e/conftest.py).
"""

import pytest

from e2e.harness.model.openai_mock import OpenAIMock


@pytest.mark.browser_errors("on purpose", reason="shows up in browser.json")
def test_fails_in_the_test_body(page, chat, openai_mock: OpenAIMock) -> None:
    chat.send("Hello?").expect_complete("I could not find anything about that in your documents.")
    page.evaluate("console.error('logged on purpose')")
    assert openai_mock.last_request.question == "Goodbye?", "fails on purpose"


def test_fails_in_teardown(chat, openai_mock: OpenAIMock) -> None:
    openai_mock.reply(["Never", " finished"], gate_after=1)
    chat.send("Hello?").expect_streaming("Never")
    # The gate is never released: the leak check fails the test in teardown.
