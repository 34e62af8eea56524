"""The app shell: sidebar with chats and documents, around every page."""

from typing import TYPE_CHECKING

from playwright.sync_api import Locator, Page, Route, expect

from pages.base import BasePage, Component, Drawer
from pages.documents_panel import DocumentsPanel

if TYPE_CHECKING:
    from pages.chat_page import ChatPage


class AppShell(BasePage):
    path = "/"

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.drawer = Drawer(page)
        self.sidebar = Component(
            page.get_by_role("complementary", name="Chats and documents"), self.drawer.show
        )
        self.documents = DocumentsPanel(
            self.sidebar.root.get_by_role("region", name="Documents"), self.drawer.show
        )

    @property
    def session_links(self) -> Locator:
        return self.sidebar.root.get_by_role("navigation", name="Chats").get_by_role("link")

    @property
    def current_session_link(self) -> Locator:
        return self.session_links.and_(self.page.locator("[aria-current=page]"))

    def new_chat(self) -> "ChatPage":
        from pages.chat_page import ChatPage  # a chat page is an app shell too

        before = self.page.url
        self.ask_for_new_chat()
        self.page.wait_for_url(lambda url: "/c/" in url and url != before)
        return ChatPage(self.page)

    def ask_for_new_chat(self) -> None:
        """Press New chat; whether one opens is for the caller to check."""
        self.sidebar.press(self.sidebar.root.get_by_role("button", name="New chat"))

    def hide_new_chat_buttons_on_purpose(self) -> None:
        """A deliberate mistake in the stylesheet, for the visual tests' own test."""
        mistake = "\n[data-action=new-chat] { visibility: hidden; }"

        def served_with_mistake(route: Route) -> None:
            response = route.fetch()
            route.fulfill(response=response, body=response.text() + mistake)

        self.page.route("**/style.css", served_with_mistake)
        self.reload()
        expect(self.sidebar.root.get_by_role("button", name="New chat")).to_be_hidden()

    def expect_problem(self, message: str) -> None:
        """What went wrong with an action that has no form of its own to say it in."""
        expect(self.page.get_by_test_id("page-problem")).to_have_text(message)

    def open_chat(self, title: str) -> "ChatPage":
        """Open a chat from the sidebar."""
        from pages.chat_page import ChatPage

        self.sidebar.press(self.session_links.get_by_text(title, exact=True))
        expect(self.current_session_link).to_have_text(title)
        return ChatPage(self.page)

    def expect_offline_notice(self, shown: bool = True) -> None:
        """The page's word that the browser is offline, and that it will carry on."""
        notice = self.page.get_by_role("status").filter(has_text="You are offline")
        if shown:
            expect(notice).to_have_text(
                "You are offline. DocChat will carry on when the connection is back."
            )
        else:
            expect(notice).to_be_hidden()

    def expect_chats(self, *titles: str) -> None:
        """The sidebar's chats, most recent first."""
        self.sidebar.reveal()
        expect(self.session_links).to_have_text(list(titles))
