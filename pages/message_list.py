"""The conversation: questions and answers, in order."""

import re

from playwright.sync_api import Locator, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from pages.answer import Answer
from pages.base import Component

# The conversation's scroll position once every scroll the page has asked for is done:
# the page follows an answer down at most once a frame, so two frames on it has.
SETTLED_SCROLL_TOP_JS = """el => new Promise(done =>
  requestAnimationFrame(() => requestAnimationFrame(() => done(el.scrollTop))))"""
BELOW_THE_VIEW_JS = "el => el.scrollHeight - el.scrollTop - el.clientHeight"


class MessageList(Component):
    ANSWER_TEST_ID = "assistant-message"

    @property
    def questions(self) -> Locator:
        return self.root.get_by_test_id("user-message")

    @property
    def answers(self) -> Locator:
        return self.root.get_by_test_id(self.ANSWER_TEST_ID)

    @property
    def last_answer(self) -> Answer:
        return Answer(self.answers.last, self.reveal)

    def answer(self, index: int) -> Answer:
        return Answer(self.answers.nth(index), self.reveal)

    def expect_count(self, answers: int) -> None:
        expect(self.answers).to_have_count(answers)

    def expect_conversation(self, *turns: tuple[str, str | re.Pattern[str]]) -> None:
        """Exactly these (question, answer) pairs, in order."""
        bodies = Answer.BODY_TEST_ID
        expect(self.questions.get_by_test_id(bodies)).to_have_text([q for q, _ in turns])
        expect(self.answers.get_by_test_id(bodies)).to_have_text([a for _, a in turns])

    def scroll_to_start(self) -> None:
        """Scroll up to the first question, as a person does to read it again."""
        self.root.evaluate("el => el.scrollTo({top: 0})")

    def scroll_to_end(self) -> None:
        self.root.evaluate("el => el.scrollTo({top: el.scrollHeight})")

    def expect_scrolled_to_start(self) -> None:
        """Still at the first question: nothing pulled the view away from it."""
        settled = self.root.evaluate(SETTLED_SCROLL_TOP_JS)
        assert settled == 0, f"The conversation was scrolled {settled}px away from its start"

    def expect_scrolled_to_end(self) -> None:
        """Scrolled all the way down, to the newest text."""
        try:
            self.page.wait_for_function(
                f"el => ({BELOW_THE_VIEW_JS})(el) < 2", arg=self.root.element_handle()
            )
        except PlaywrightTimeoutError:
            below = self.root.evaluate(BELOW_THE_VIEW_JS)
            raise AssertionError(f"The conversation stayed {below}px above its end") from None
