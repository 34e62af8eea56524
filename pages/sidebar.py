"""The sidebar around every page: New chat, the chats, and the documents panel. On a
narrow screen it is a drawer behind the Menu button."""

from collections.abc import Callable

from playwright.sync_api import Locator, Page, Route, expect

from pages.base import Component
from pages.documents_panel import DocumentsPanel
from pages.hands import hands_of


class Drawer:
    """On a narrow screen the sidebar (chats and documents) is a drawer that the Menu
    button opens over the page; on a wide one there is no drawer, and this does nothing."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.sidebar = page.locator("#sidebar")  # hidden while closed: no role to find it by
        self.menu_button = page.get_by_role("button", name="Menu")

    def show(self) -> None:
        if self._exists() and not self._is_open():
            hands_of(self.page).press(self.menu_button)
            expect(self.sidebar).to_have_css("transform", "none")  # slid all the way in
            # The focus moved in with it, to its first button.
            expect(self.sidebar.get_by_role("button", name="New chat")).to_be_focused()

    def hide(self) -> None:
        if self._exists() and self._is_open():
            hands_of(self.page).press(self.menu_button)
            expect(self.sidebar).to_be_hidden()

    def close_with_escape(self) -> None:
        """Escape closes it, and the focus goes back to the Menu button."""
        self.page.keyboard.press("Escape")
        self.expect_open(False)
        expect(self.menu_button).to_be_focused()

    def tap_beside(self) -> None:
        """Tap the dimmed page beside the open drawer, which closes it."""
        box = self.page.get_by_test_id("drawer-backdrop").bounding_box()
        assert box is not None, "The drawer's backdrop is not on the page"
        self.page.touchscreen.tap(box["x"] + box["width"] - 10, box["y"] + box["height"] / 2)

    def expect_open(self, open: bool = True) -> None:
        """Open over the page, which takes no input meanwhile; or closed."""
        expect(self.menu_button).to_have_attribute("aria-expanded", str(open).lower())
        expect(self.sidebar).to_be_visible(visible=open)
        expect(self.page.locator("main")).to_have_js_property("inert", open)

    def _exists(self) -> bool:
        return self.menu_button.is_visible()  # the layout is set by the viewport, at load

    def _is_open(self) -> bool:
        return self.menu_button.get_attribute("aria-expanded") == "true"


class Sidebar(Component):
    def __init__(self, page: Page, reveal: Callable[[], None]) -> None:
        super().__init__(page.get_by_role("complementary", name="Chats and documents"), reveal)
        self.documents = DocumentsPanel(self.root.get_by_role("region", name="Documents"), reveal)

    @property
    def chat_links(self) -> Locator:
        return self.root.get_by_role("navigation", name="Chats").get_by_role("link")

    @property
    def current_chat_link(self) -> Locator:
        return self.chat_links.and_(self.page.locator("[aria-current=page]"))

    def press_new_chat(self) -> None:
        """Press New chat; whether one opens is for the caller to check."""
        self.press(self.root.get_by_role("button", name="New chat"))

    def press_chat(self, title: str) -> None:
        self.press(self.chat_links.get_by_text(title, exact=True))

    def expect_chats(self, *titles: str) -> None:
        """The chats, most recent first."""
        expect(self.chat_links).to_have_text(list(titles))

    def expect_current_chat(self, title: str) -> None:
        expect(self.current_chat_link).to_have_text(title)

    def hide_new_chat_buttons_on_purpose(self) -> None:
        """A deliberate mistake in the stylesheet, for the visual tests' own test."""
        mistake = "\n[data-action=new-chat] { visibility: hidden; }"

        def served_with_mistake(route: Route) -> None:
            response = route.fetch()
            route.fulfill(response=response, body=response.text() + mistake)

        self.page.route("**/style.css", served_with_mistake)
        self.page.reload()
        expect(self.root.get_by_role("button", name="New chat")).to_be_hidden()
