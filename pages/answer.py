"""One answer in the conversation: its text, steps, sources, notes and actions."""

import re

from playwright.sync_api import Locator, expect

from pages.base import Component

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
REFUSED = "The model declined to answer. Try asking differently."
EMPTY = "The model finished without writing any answer. Try again."
EMPTY_AT_LENGTH = "The model used up its length limit without writing any answer. Try again."
TOOL_CALL = "The model tried to use a tool, and DocChat offers none. Try again."
SHOWN_PLAIN = (
    "This answer is shown as plain text: laying out its formatting took longer than DocChat allows."
)
# How long the model thought, once it stopped: the seconds are the server's to measure.
THOUGHT = re.compile(r"^Thought for (1 second|([2-9]|\d{2,}) seconds)$")


class Answer(Component):
    """One assistant message."""

    BODY_TEST_ID = "message-body"  # a question's too
    THOUGHTS_TEST_ID = "reasoning-text"

    @property
    def body(self) -> Locator:
        return self.root.get_by_test_id(self.BODY_TEST_ID)

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
    def reasoning(self) -> Locator:
        """The Thinking block: what the model thought before it answered, collapsed."""
        return self.root.get_by_test_id("reasoning")

    @property
    def usage(self) -> Locator:
        return self.root.get_by_test_id("message-usage")

    @property
    def retry_button(self) -> Locator:
        return self.root.get_by_role("button", name="Retry")

    @property
    def continue_button(self) -> Locator:
        return self.root.get_by_role("button", name="Continue")

    @property
    def message_id(self) -> str:
        value = self.root.get_attribute("data-message-id")
        assert value is not None, "The answer has no message id (data-message-id)"
        return value

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

    def expect_shown_as_plain_text(self, text: str) -> None:
        """Complete, but its Markdown took too long to lay out: exactly its text, nothing
        of it formatted, under a note saying why."""
        expect(self.root).to_have_attribute("data-status", "done")
        expect(self.note).to_have_text(SHOWN_PLAIN)
        expect(self.body.get_by_test_id("plain-text")).to_have_text(text)
        expect(self.body.locator("a, em, strong, code, table, ul, ol")).to_have_count(0)
        expect(self.error).to_be_hidden()

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

    def expect_refused(self, text: str) -> None:
        """The model declined: its words are the answer, with a note, and nothing to retry
        or continue (asked again the same, it would decline again)."""
        self._expect_kept_with_note("refused", text, REFUSED)
        expect(self.continue_button).to_be_hidden()
        expect(self.retry_button).to_be_hidden()

    def expect_thinking(self, reasoning: str) -> None:
        """The model is still thinking: its reasoning so far in a collapsed block that
        says so, and no answer yet."""
        expect(self.reasoning).to_be_visible()
        expect(self.reasoning.locator("summary")).to_have_text("Thinking…")
        expect(self.reasoning.get_by_test_id(self.THOUGHTS_TEST_ID)).to_have_text(reasoning)
        expect(self.reasoning.get_by_test_id(self.THOUGHTS_TEST_ID)).to_be_hidden()  # collapsed
        expect(self.body).to_have_text("")

    def expect_thought(self, reasoning: str) -> None:
        """The model thought before it answered: the block says for how long, collapsed,
        and holds exactly this reasoning (none of it in the answer's text)."""
        expect(self.reasoning).to_be_visible()
        expect(self.reasoning.locator("summary")).to_have_text(THOUGHT)
        expect(self.reasoning.get_by_test_id(self.THOUGHTS_TEST_ID)).to_have_text(reasoning)
        expect(self.reasoning.get_by_test_id(self.THOUGHTS_TEST_ID)).to_be_hidden()

    def expect_no_reasoning(self) -> None:
        expect(self.reasoning).to_be_hidden()

    def open_reasoning(self, reasoning: str) -> None:
        """Open the Thinking block, as a person curious how the model got there would."""
        self.press(self.reasoning.locator("summary"))
        expect(self.reasoning.get_by_test_id(self.THOUGHTS_TEST_ID)).to_be_visible()
        expect(self.reasoning.get_by_test_id(self.THOUGHTS_TEST_ID)).to_have_text(reasoning)

    def expect_usage(self, label: str | None) -> None:
        """What the answer cost, as shown beside it; None: the server did not say."""
        if label is None:
            expect(self.usage).to_have_count(0)
        else:
            expect(self.usage).to_have_text(label)

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

    def expect_citations(self, *labels: str | re.Pattern[str]) -> None:
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
        copied: str = self.page.evaluate("navigator.clipboard.readText()")
        return copied

    def expect_no_active_content(self) -> None:
        """Nothing in the answer can run script: no such element, no event-handler
        attribute, and every link or image address is a web page or a mail address."""
        active = self.body.evaluate(ACTIVE_CONTENT_JS)
        assert not active, f"The answer holds content that could run script: {active}"

    def expect_code_block(self, code: str) -> None:
        expect(self.body.locator("pre > code")).to_have_text(code)

    def expect_bold(self, *texts: str) -> None:
        """Exactly these parts of the answer in bold (its Markdown laid out), in order."""
        expect(self.body.locator("strong")).to_have_text(list(texts))

    def expect_list(self, *items: str) -> None:
        expect(self.body.get_by_role("listitem")).to_have_text(list(items))

    def expect_table(self, *rows: list[str]) -> None:
        """The table's rows, header first, each as its cells' texts."""
        table_rows = self.body.get_by_role("table").get_by_role("row")
        expect(table_rows).to_have_count(len(rows))
        for index, cells in enumerate(rows):
            expect(table_rows.nth(index).locator("th, td")).to_have_text(cells)
