"""The app's pages, each made of surfaces (one file each): every page has the sidebar
(chats and documents; on a phone, a drawer); a chat page adds its header, the
conversation and the input bar."""

from playwright.sync_api import Page, expect

from pages.answer import Answer
from pages.base import BasePage
from pages.chat_header import ChatHeader
from pages.input_bar import InputBar
from pages.message_list import MessageList
from pages.sidebar import Drawer, Sidebar


class AppShell(BasePage):
    path = "/"

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.drawer = Drawer(page)
        self.sidebar = Sidebar(page, self.drawer.show)
        self.documents = self.sidebar.documents

    def new_chat(self) -> "ChatPage":
        before = self.page.url
        self.sidebar.press_new_chat()
        self.page.wait_for_url(lambda url: "/c/" in url and url != before)
        return ChatPage(self.page)

    def open_chat(self, title: str) -> "ChatPage":
        """Open a chat from the sidebar."""
        self.sidebar.press_chat(title)
        self.sidebar.expect_current_chat(title)
        return ChatPage(self.page)

    def expect_problem(self, message: str) -> None:
        """What went wrong with an action that has no form of its own to say it in."""
        expect(self.page.get_by_test_id("page-problem")).to_have_text(message)

    def expect_offline_notice(self, shown: bool = True) -> None:
        """The page's word that the browser is offline, and that it will carry on."""
        notice = self.page.get_by_role("status").filter(has_text="You are offline")
        if shown:
            expect(notice).to_have_text(
                "You are offline. DocChat will carry on when the connection is back."
            )
        else:
            expect(notice).to_be_hidden()


class ChatPage(AppShell):
    def __init__(self, page: Page) -> None:
        super().__init__(page)
        # On a phone the chat's parts lie under the drawer: using one closes it first.
        self.header = ChatHeader(page.get_by_test_id("chat-header"), self.drawer.hide)
        self.messages = MessageList(page.get_by_role("log", name="Messages"), self.drawer.hide)
        self.input_bar = InputBar(page.get_by_role("form", name="Ask DocChat"), self.drawer.hide)

    @property
    def session_id(self) -> str:
        return self.page.url.rstrip("/").rsplit("/", 1)[-1]

    def expect_title(self, title: str) -> None:
        """The chat's heading, its entry in the sidebar, and the window title."""
        expect(self.header.title).to_have_text(title)
        self.sidebar.expect_current_chat(title)
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

    def send(self, text: str) -> Answer:
        """Ask a question; returns the answer it starts."""
        count = self.messages.answers.count()
        self.input_bar.send(text)
        expect(self.messages.answers).to_have_count(count + 1)
        return self.messages.last_answer
