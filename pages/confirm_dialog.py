"""The modal that asks before anything destructive happens."""

from playwright.sync_api import Page, expect

from pages.base import Component


class ConfirmDialog(Component):
    def __init__(self, page: Page) -> None:
        super().__init__(page.get_by_role("dialog"))

    def expect_question(self, title: str, message: str) -> None:
        expect(self.root).to_be_visible()
        expect(self.root.get_by_role("heading")).to_have_text(title)
        expect(self.root.get_by_role("paragraph")).to_have_text(message)

    def confirm(self, action: str) -> None:
        self.press(self.root.get_by_role("button", name=action, exact=True))
        expect(self.root).to_be_hidden()

    def expect_focus_on(self, button: str) -> None:
        expect(self.root.get_by_role("button", name=button, exact=True)).to_be_focused()

    def cancel_with_escape(self) -> None:
        self.page.keyboard.press("Escape")
        expect(self.root).to_be_hidden()

    def cancel(self) -> None:
        self.press(self.root.get_by_role("button", name="Cancel", exact=True))
        expect(self.root).to_be_hidden()
