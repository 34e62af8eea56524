"""The chat page: the message list and the input bar."""

import re

from playwright.sync_api import Locator, Page, expect

from pages.app_shell import AppShell
from pages.base import Component


class Answer(Component):
    """One assistant message."""

    @property
    def body(self) -> Locator:
        return self.root.get_by_test_id("message-body")

    @property
    def error(self) -> Locator:
        return self.root.get_by_test_id("message-error")

    def expect_streaming(self, partial_text: str) -> None:
        """Still streaming, showing exactly this much of the answer so far."""
        expect(self.root).to_have_attribute("aria-busy", "true")
        expect(self.body).to_have_text(partial_text)

    def expect_complete(self, text: str | re.Pattern[str]) -> None:
        expect(self.root).to_have_attribute("data-status", "done")
        expect(self.root).not_to_have_attribute("aria-busy", "true")
        expect(self.body).to_have_text(text)
        expect(self.error).to_be_hidden()

    def expect_text(self, text: str) -> None:
        expect(self.body).to_have_text(text)

    def expect_complete_containing(self, *fragments: str) -> None:
        self.expect_complete(re.compile(".*".join(re.escape(f) for f in fragments), re.DOTALL))

    def expect_failed(self, message: str, *, status: str = "error") -> None:
        """Ended without a full answer (`error`, `interrupted`), saying why."""
        expect(self.root).to_have_attribute("data-status", status)
        expect(self.root).not_to_have_attribute("aria-busy", "true")
        expect(self.error).to_have_text(message)

    def expect_offline_label(self) -> None:
        expect(self.root.get_by_test_id("offline-badge")).to_have_text("Offline answer")


class MessageList(Component):
    @property
    def questions(self) -> Locator:
        return self.root.get_by_test_id("user-message")

    @property
    def answers(self) -> Locator:
        return self.root.get_by_test_id("assistant-message")

    @property
    def last_answer(self) -> Answer:
        return Answer(self.answers.last)

    def expect_conversation(self, *turns: tuple[str, str]) -> None:
        """Exactly these (question, answer) pairs, in order."""
        expect(self.questions.get_by_test_id("message-body")).to_have_text([q for q, _ in turns])
        expect(self.answers.get_by_test_id("message-body")).to_have_text([a for _, a in turns])


class InputBar(Component):
    @property
    def textbox(self) -> Locator:
        return self.root.get_by_role("textbox", name="Message")

    @property
    def send_button(self) -> Locator:
        return self.root.get_by_role("button", name="Send")

    def send(self, text: str) -> None:
        self.textbox.fill(text)
        self.send_button.click()

    def expect_busy(self) -> None:
        expect(self.root).to_have_attribute("aria-busy", "true")
        expect(self.send_button).to_be_disabled()

    def expect_idle(self) -> None:
        expect(self.root).to_have_attribute("aria-busy", "false")
        expect(self.textbox).to_be_editable()


class ChatPage(AppShell):
    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.input_bar = InputBar(page.get_by_role("form", name="Ask DocChat"))
        self.messages = MessageList(page.get_by_role("log", name="Messages"))

    def expect_title(self, title: str) -> None:
        """The chat's heading and its entry in the sidebar."""
        expect(self.page.get_by_test_id("session-title")).to_have_text(title)
        expect(self.session_links.and_(self.page.locator("[aria-current=page]"))).to_have_text(
            title
        )

    def send(self, text: str) -> Answer:
        """Ask a question; returns the answer it starts."""
        count = self.messages.answers.count()
        self.input_bar.send(text)
        expect(self.messages.answers).to_have_count(count + 1)
        return self.messages.last_answer
