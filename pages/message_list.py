"""The conversation: questions and answers, in order."""

import re

from playwright.sync_api import Locator, expect

from pages.answer import Answer
from pages.base import Component


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
