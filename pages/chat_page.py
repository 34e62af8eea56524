"""The chat page: its header, the message list and the input bar."""

import re

from playwright.sync_api import Locator, Page, expect

from pages.app_shell import AppShell
from pages.base import Component
from pages.confirm_dialog import ConfirmDialog

# Lists every element, attribute or address in `body` that could run script.
ACTIVE_CONTENT_JS = """body => {
  const found = [];
  const tags = "script,iframe,frame,object,embed,svg,math,form,base,meta,link,style";
  for (const element of body.querySelectorAll(tags)) found.push(element.outerHTML);
  for (const element of body.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      const address = ["href", "src", "action", "formaction"].includes(attribute.name);
      if (attribute.name.startsWith("on")
          || (address && !/^(https?:|mailto:)/i.test(attribute.value.trim()))) {
        found.push(`${element.tagName} ${attribute.name}=${attribute.value}`);
      }
    }
  }
  return found;
}"""


# What the page says of each way an answer can end short of done.
CUT_OFF = "The model's answer was cut off before it finished. Try again."
LENGTH_LIMIT = "The answer reached the model's length limit."
FILTERED = "The model service's content filter withheld the rest of this answer."


class Answer(Component):
    """One assistant message."""

    @property
    def body(self) -> Locator:
        return self.root.get_by_test_id("message-body")

    @property
    def error(self) -> Locator:
        return self.root.get_by_test_id("message-error")

    @property
    def steps(self) -> Locator:
        return self.root.get_by_role("list", name="Research steps").get_by_role("listitem")

    @property
    def citations(self) -> Locator:
        return self.root.get_by_role("region", name="Sources").get_by_role("listitem")

    @property
    def note(self) -> Locator:
        return self.root.get_by_role("note")

    @property
    def retry_button(self) -> Locator:
        return self.root.get_by_role("button", name="Retry")

    @property
    def continue_button(self) -> Locator:
        return self.root.get_by_role("button", name="Continue")

    @property
    def message_id(self) -> str:
        return self.root.get_attribute("data-message-id")

    def expect_streaming(self, partial_text: str) -> None:
        """Still streaming, showing exactly this much of the answer so far."""
        expect(self.root).to_have_attribute("aria-busy", "true")
        expect(self.body).to_have_text(partial_text)

    def expect_complete(self, text: str | re.Pattern[str]) -> None:
        expect(self.root).to_have_attribute("data-status", "done")
        expect(self.root).not_to_have_attribute("aria-busy", "true")
        expect(self.body).to_have_text(text)
        expect(self.error).to_be_hidden()
        expect(self.note).to_have_count(0)

    def expect_length_limited(self, text: str) -> None:
        """Kept as far as the model's length limit, with a note and Continue (no Retry)."""
        self._expect_kept_with_note("length_limit", text, LENGTH_LIMIT)
        expect(self.continue_button).to_be_visible()
        expect(self.retry_button).to_be_hidden()

    def expect_filtered(self, text: str) -> None:
        """Kept as far as the provider's content filter let it go, with a note."""
        self._expect_kept_with_note("filtered", text, FILTERED)
        expect(self.continue_button).to_be_hidden()
        expect(self.retry_button).to_be_hidden()

    def _expect_kept_with_note(self, status: str, text: str, note: str) -> None:
        expect(self.root).to_have_attribute("data-status", status)
        expect(self.root).not_to_have_attribute("aria-busy", "true")
        expect(self.body).to_have_text(text)
        expect(self.note).to_have_text(note)
        expect(self.error).to_be_hidden()

    def expect_cut_off(self, partial_text: str) -> None:
        """The model's stream just stopped: the partial text stays, as an error to retry."""
        self.expect_failed(CUT_OFF)
        self.expect_text(partial_text)
        expect(self.continue_button).to_be_hidden()

    def expect_text(self, text: str) -> None:
        expect(self.body).to_have_text(text)

    def expect_in_view(self) -> None:
        """What it says is on screen: the conversation scrolled down to it."""
        expect(self.body).to_be_in_viewport()

    def expect_complete_containing(self, *fragments: str) -> None:
        self.expect_complete(re.compile(".*".join(re.escape(f) for f in fragments), re.DOTALL))

    def expect_failed(self, message: str, *, status: str = "error", retry: bool = True) -> None:
        """Ended without a full answer (`error`, `interrupted`), saying why."""
        expect(self.root).to_have_attribute("data-status", status)
        expect(self.root).not_to_have_attribute("aria-busy", "true")
        expect(self.error).to_have_text(message)
        expect(self.retry_button).to_be_visible(visible=retry)

    def expect_stopped(self, partial_text: str) -> None:
        """Stopped by the person: what was written so far stays, and can be retried."""
        expect(self.root).to_have_attribute("data-status", "stopped")
        expect(self.root).not_to_have_attribute("aria-busy", "true")
        expect(self.body).to_have_text(partial_text)
        expect(self.error).to_be_hidden()
        expect(self.retry_button).to_be_visible()

    def expect_offline_label(self) -> None:
        expect(self.root.get_by_test_id("offline-badge")).to_have_text("Offline answer")

    def expect_mode(self, mode: str) -> None:
        expect(self.root.get_by_test_id("mode-badge")).to_have_text(mode)

    def expect_steps(self, *steps: str | re.Pattern[str]) -> None:
        """Exactly these research steps so far, in order."""
        expect(self.steps).to_have_text(list(steps))

    def expect_citations(self, *labels: str) -> None:
        """Exactly these sources, e.g. "[1] report.pdf, page 2", in order."""
        expect(self.citations.locator("summary")).to_have_text(list(labels))

    def open_citation(self, label: str, snippet: str) -> None:
        """Open a source, as a person checking it would, and expect this passage."""
        citation = self.citations.filter(has_text=label)
        self.press(citation.get_by_text(label))
        expect(citation.get_by_test_id("citation-snippet")).to_be_visible()
        expect(citation.get_by_test_id("citation-snippet")).to_have_text(snippet)

    def expect_quoted(self, *lines: str) -> None:
        """Quotes a passage as exactly these lines of text: nothing in it read as Markdown."""
        quote = self.body.locator("blockquote")
        expect(quote).to_have_js_property("innerText", "\n".join(lines))
        expect(quote.locator("h1, h2, h3, h4, h5, h6, ul, ol, em, strong, code")).to_have_count(0)

    def retry(self) -> None:
        self.press(self.retry_button)

    def continue_(self) -> None:
        """Ask the model to go on from its length limit; the same answer streams on."""
        self.press(self.continue_button)

    def copy(self) -> str:
        """Copy the answer; returns what the clipboard then holds."""
        self.press(self.root.get_by_role("button", name="Copy"))
        expect(self.root.get_by_role("button", name="Copied")).to_be_visible()
        return self.page.evaluate("navigator.clipboard.readText()")

    def expect_no_active_content(self) -> None:
        """Nothing in the answer can run script: no such element, no event-handler
        attribute, and every link or image address is a web page or a mail address."""
        active = self.body.evaluate(ACTIVE_CONTENT_JS)
        assert not active, f"The answer holds content that could run script: {active}"

    def expect_code_block(self, code: str) -> None:
        expect(self.body.locator("pre > code")).to_have_text(code)

    def expect_list(self, *items: str) -> None:
        expect(self.body.get_by_role("listitem")).to_have_text(list(items))

    def expect_table(self, *rows: list[str]) -> None:
        """The table's rows, header first, each as its cells' texts."""
        table_rows = self.body.get_by_role("table").get_by_role("row")
        expect(table_rows).to_have_count(len(rows))
        for index, cells in enumerate(rows):
            expect(table_rows.nth(index).locator("th, td")).to_have_text(cells)


class MessageList(Component):
    @property
    def questions(self) -> Locator:
        return self.root.get_by_test_id("user-message")

    @property
    def answers(self) -> Locator:
        return self.root.get_by_test_id("assistant-message")

    @property
    def last_answer(self) -> Answer:
        return Answer(self.answers.last, self.reveal)

    def answer(self, index: int) -> Answer:
        return Answer(self.answers.nth(index), self.reveal)

    def expect_count(self, answers: int) -> None:
        expect(self.answers).to_have_count(answers)

    def expect_conversation(self, *turns: tuple[str, str | re.Pattern[str]]) -> None:
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

    @property
    def error(self) -> Locator:
        return self.root.get_by_test_id("send-error")

    @property
    def stop_button(self) -> Locator:
        return self.root.get_by_role("button", name="Stop")

    def send(self, text: str) -> None:
        self.enter_text(self.textbox, text)
        self.press(self.send_button)

    def stop(self) -> None:
        """Stop the answer being written."""
        self.press(self.stop_button)
        expect(self.stop_button).to_be_hidden()

    def type(self, text: str) -> None:
        """Type as a person would: each newline is Shift+Enter."""
        self.focus(self.textbox)
        for number, line in enumerate(text.split("\n")):
            if number:
                self.page.keyboard.press("Shift+Enter")
            self.page.keyboard.type(line)

    def press_enter(self) -> None:
        self.textbox.press("Enter")

    def type_with_input_method(self, text: str) -> None:
        """Type as with a Japanese or Chinese input method: the text is composed, then the
        person confirms it with Enter. The page sees that Enter (marked as part of the
        composition), and the text is committed instead of a new line."""
        self.focus(self.textbox)
        ime = self.page.context.new_cdp_session(self.page)
        end = len(text)
        ime.send(
            "Input.imeSetComposition", {"text": text, "selectionStart": end, "selectionEnd": end}
        )
        enter = {"key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13}
        ime.send("Input.dispatchKeyEvent", {"type": "rawKeyDown", **enter})
        ime.send("Input.insertText", {"text": text})
        ime.send("Input.dispatchKeyEvent", {"type": "keyUp", **enter})
        ime.detach()

    def fill(self, text: str) -> None:
        """Put this text in the message box, not sending it."""
        self.enter_text(self.textbox, text)

    def choose_mode(self, mode: str) -> None:
        self.set_checked(self.root.get_by_role("radio", name=mode))

    def expect_mode(self, mode: str) -> None:
        expect(self.root.get_by_role("radio", name=mode)).to_be_checked()

    def expect_text(self, text: str) -> None:
        expect(self.textbox).to_have_value(text)

    def expect_can_send(self, can: bool = True) -> None:
        expect(self.send_button).to_be_enabled(enabled=can)

    def expect_error(self, message: str) -> None:
        expect(self.error).to_have_text(message)

    def expect_busy(self) -> None:
        """An answer is being written: no second send, but it can be stopped."""
        expect(self.root).to_have_attribute("aria-busy", "true")
        expect(self.send_button).to_be_disabled()
        expect(self.stop_button).to_be_visible()

    def expect_closed(self) -> None:
        """Nothing can be sent or stopped here any more."""
        expect(self.textbox).to_be_disabled()
        expect(self.send_button).to_be_disabled()
        expect(self.stop_button).to_be_hidden()

    def expect_focused(self) -> None:
        """The focus is in the message box, ready for the next question."""
        expect(self.textbox).to_be_focused()

    def expect_in_view(self) -> None:
        """All of it is on screen, whatever the conversation's length."""
        expect(self.root).to_be_in_viewport(ratio=1)

    def expect_idle(self) -> None:
        expect(self.root).to_have_attribute("aria-busy", "false")
        expect(self.textbox).to_be_editable()
        expect(self.stop_button).to_be_hidden()


class ChatDocuments(Component):
    """Which documents this chat answers from."""

    @property
    def boxes(self) -> Locator:
        return self.root.get_by_role("checkbox")

    def open(self) -> None:
        if self.root.get_attribute("open") is None:
            self.press(self.root.locator("summary"))

    def choose(self, *filenames: str) -> None:
        """Exactly these documents; waits until the choice is saved."""
        self.open()
        for label in self.root.locator("label").all():
            self.set_checked(label.get_by_role("checkbox"), label.inner_text().strip() in filenames)
        expect(self.root).to_have_attribute("aria-busy", "false")
        self.expect_chosen(*filenames)

    def toggle(self, filename: str) -> None:
        """Tick or untick one document; does not wait for the choice to be saved."""
        self.open()
        self.press(self.root.get_by_role("checkbox", name=filename, exact=True))

    def expect_error(self, message: str) -> None:
        expect(self.root).to_have_attribute("aria-busy", "false")
        expect(self.root.get_by_test_id("chat-documents-error")).to_have_text(message)

    def expect_chosen(self, *filenames: str) -> None:
        self.open()
        for filename in filenames:
            expect(self.root.get_by_role("checkbox", name=filename, exact=True)).to_be_checked()
        expect(self.root.get_by_test_id("chat-documents-count")).to_have_text(
            f"{len(filenames)} of {self.boxes.count()}"
        )


class ChatPage(AppShell):
    def __init__(self, page: Page) -> None:
        super().__init__(page)
        # On a phone the chat's parts lie under the drawer: using one closes it first.
        self.input_bar = InputBar(page.get_by_role("form", name="Ask DocChat"), self.drawer.hide)
        self.messages = MessageList(page.get_by_role("log", name="Messages"), self.drawer.hide)
        self.chat_documents = ChatDocuments(page.get_by_test_id("chat-documents"), self.drawer.hide)
        self.main = Component(page.get_by_role("main"), self.drawer.hide)

    @property
    def title(self) -> Locator:
        return self.page.get_by_test_id("session-title")

    @property
    def session_id(self) -> str:
        return self.page.url.rstrip("/").rsplit("/", 1)[-1]

    def expect_title(self, title: str) -> None:
        """The chat's heading, its entry in the sidebar, and the window title."""
        self.sidebar.reveal()
        expect(self.title).to_have_text(title)
        expect(self.current_session_link).to_have_text(title)
        expect(self.page).to_have_title(f"{title} · DocChat")

    def expect_announced(self, text: str) -> None:
        """What a screen reader says of the latest answer (a polite status: it waits for
        a pause); the messages themselves are a live log, each answer busy while written."""
        expect(self.page.get_by_test_id("answer-announcer")).to_have_text(text)
        expect(self.page.get_by_test_id("answer-announcer")).to_have_role("status")

    def expect_deleted_elsewhere(self) -> None:
        """The chat was deleted in another tab or window: the page says so and takes no more."""
        self.expect_problem("This chat was deleted in another tab or window.")
        self.input_bar.expect_closed()

    def expect_focus_back_on(self, button: str) -> None:
        """The focus is back on the chat's button that opened a dialog."""
        expect(self.main.root.get_by_role("button", name=button, exact=True)).to_be_focused()

    def send(self, text: str) -> Answer:
        """Ask a question; returns the answer it starts."""
        count = self.messages.answers.count()
        self.input_bar.send(text)
        expect(self.messages.answers).to_have_count(count + 1)
        return self.messages.last_answer

    def rename(self, title: str, *, button: str = "Save") -> None:
        """Type a name in the Rename dialog and close it with Save (or Cancel)."""
        self.main.press(self.main.root.get_by_role("button", name="Rename"))
        dialog = Component(self.page.get_by_role("dialog", name="Rename chat"))
        dialog.enter_text(dialog.root.get_by_label("Chat name"), title)
        dialog.press(dialog.root.get_by_role("button", name=button))
        expect(dialog.root).to_be_hidden()

    def delete(self) -> ConfirmDialog:
        self.main.press(self.main.root.get_by_role("button", name="Delete", exact=True))
        return ConfirmDialog(self.page)
