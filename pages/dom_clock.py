"""Times in the page itself: when a question was sent, when an answer's text (or the
model's reasoning before it) grew.

For benchmarks: timing inside the browser leaves out Playwright's own round trips. Times
are epoch milliseconds (performance.timeOrigin + performance.now()), the same clock as
time.time() in the test process on this machine. What it watches comes from the chat's
page objects: their elements, and their test ids for the answers that appear later.
"""

from itertools import accumulate
from typing import Any

from pages.answer import Answer
from pages.app import ChatPage
from pages.message_list import MessageList

_INSTALL = """([log, form, answerId, bodyId, thoughtsId]) => {
  const clock = (window.__docchatClock = { sent: [], growth: [] });
  const now = () => performance.timeOrigin + performance.now();
  form.addEventListener("submit", () => clock.sent.push(now()), true);
  new MutationObserver(() => {
    const answers = log.querySelectorAll(`[data-testid="${answerId}"]`);
    const last = answers[answers.length - 1];
    if (!last) return;
    const length = last.querySelector(`[data-testid="${bodyId}"]`).textContent.length;
    const thoughts = last.querySelector(`[data-testid="${thoughtsId}"]`).textContent.length;
    clock.growth.push([answers.length, now(), length, thoughts]);
  }).observe(log, { subtree: true, childList: true, characterData: true });
}"""


class DomClock:
    def __init__(self, chat: ChatPage) -> None:
        self.page = chat.page
        watched = [chat.messages.root.element_handle(), chat.input_bar.root.element_handle()]
        test_ids = [MessageList.ANSWER_TEST_ID, Answer.BODY_TEST_ID, Answer.THOUGHTS_TEST_ID]
        self.page.evaluate(_INSTALL, [*watched, *test_ids])

    def _read(self) -> dict[str, Any]:
        clock: dict[str, Any] = self.page.evaluate("() => window.__docchatClock")
        return clock

    def first_token_at_ms(self, answer_number: int) -> float:
        """When the n-th answer (1-based) first showed text."""
        growth = self._read()["growth"]
        return float(next(t for n, t, length, _ in growth if n == answer_number and length))

    def time_to_first_token_ms(self, answer_number: int) -> float:
        """From the n-th question sent to the n-th answer's first text."""
        sent = self._read()["sent"][answer_number - 1]
        return self.first_token_at_ms(answer_number) - float(sent)

    def time_to_first_shown_ms(self, answer_number: int) -> float:
        """From the n-th question sent to the first of the n-th answer's text or reasoning
        on screen: what a person first sees of a reasoning model's answer."""
        growth = self._read()["growth"]
        shown = next(t for n, t, *lengths in growth if n == answer_number and any(lengths))
        return float(shown - self._read()["sent"][answer_number - 1])

    def token_arrivals_ms(self, answer_number: int, tokens: list[str]) -> list[float]:
        """When each token of the n-th answer was first on screen."""
        growth = [(t, length) for n, t, length, _ in self._read()["growth"] if n == answer_number]
        return [
            next(t for t, length in growth if length >= needed)
            for needed in accumulate(len(token) for token in tokens)
        ]

    def rendered_at_ms(self, answer_number: int) -> float:
        """The last change to the n-th answer (its final rendering)."""
        return float(max(t for n, t, *_ in self._read()["growth"] if n == answer_number))

    def page_stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = self.page.evaluate(
            """() => ({
                load_ms: performance.getEntriesByType("navigation")[0].loadEventEnd,
                dom_nodes: document.getElementsByTagName("*").length,
                js_heap_mb: performance.memory.usedJSHeapSize / 1048576,
            })"""
        )
        return stats
