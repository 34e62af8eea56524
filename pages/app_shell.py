"""The app shell: sidebar with chats and documents, around every page."""

from typing import TYPE_CHECKING

from playwright.sync_api import Locator, Page

from pages.base import BasePage
from pages.documents_panel import DocumentsPanel

if TYPE_CHECKING:
    from pages.chat_page import ChatPage


class AppShell(BasePage):
    path = "/"

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.documents = DocumentsPanel(page.get_by_role("region", name="Documents"))

    @property
    def session_links(self) -> Locator:
        return self.page.get_by_role("navigation", name="Chats").get_by_role("link")

    def new_chat(self) -> "ChatPage":
        from pages.chat_page import ChatPage  # a chat page is an app shell too

        self.page.get_by_role("button", name="New chat").click()
        self.page.wait_for_url("**/c/*")
        return ChatPage(self.page)
