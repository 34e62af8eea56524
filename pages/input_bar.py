"""The message box, the mode, Send and Stop."""

from playwright.sync_api import Locator, expect

from pages.base import Component
from pages.hands import type_lines


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
        type_lines(self.page.keyboard, text)

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
