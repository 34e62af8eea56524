"""The chat's header: its name, Rename, Delete, and which documents it answers from."""

from collections.abc import Callable

from playwright.sync_api import Locator, expect

from pages.base import Component
from pages.confirm_dialog import ConfirmDialog


class ChatHeader(Component):
    """The chat's name, Rename and Delete, and the documents it answers from."""

    def __init__(self, root: Locator, reveal: Callable[[], None]) -> None:
        super().__init__(root, reveal)
        self.documents = ChatDocuments(root.get_by_test_id("chat-documents"), reveal)

    @property
    def title(self) -> Locator:
        return self.root.get_by_test_id("session-title")

    def rename(self, title: str, *, button: str = "Save") -> None:
        """Type a name in the Rename dialog and close it with Save (or Cancel)."""
        self.press(self.root.get_by_role("button", name="Rename"))
        dialog = Component(self.page.get_by_role("dialog", name="Rename chat"))
        dialog.enter_text(dialog.root.get_by_label("Chat name"), title)
        dialog.press(dialog.root.get_by_role("button", name=button))
        expect(dialog.root).to_be_hidden()

    def delete(self) -> ConfirmDialog:
        self.press(self.root.get_by_role("button", name="Delete", exact=True))
        return ConfirmDialog(self.page)

    def expect_focused(self, button: str) -> None:
        """The focus is on this button of the header (back from the dialog it opened)."""
        expect(self.root.get_by_role("button", name=button, exact=True)).to_be_focused()


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
