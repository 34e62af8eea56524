"""Base classes: a page at a path, and a component rooted at a locator."""

from typing import Self

from playwright.sync_api import Locator, Page, expect


class BasePage:
    path = "/"

    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def url(self) -> str:
        return self.page.url

    def open(self, url: str | None = None) -> Self:
        """This page's path, or a URL of the same kind (a chat's, say)."""
        self.page.goto(url or self.path)
        return self

    def reload(self) -> Self:
        self.page.reload()
        return self

    def expect_heading(self, text: str) -> None:
        expect(self.page.get_by_role("heading", level=1)).to_have_text(text)

    def expect_not_found(self, what: str) -> None:
        """DocChat's 404 page, naming what was not found."""
        expect(self.page.get_by_role("heading", level=1)).to_have_text(f"{what} not found")
        expect(self.page.get_by_role("link", name="Back to DocChat")).to_be_visible()

    def expect_live(self) -> None:
        """The page follows its workspace's live stream: what changes elsewhere shows here."""
        expect(self.page.locator("body")).to_have_attribute("data-live", "open")

    def live_event_id(self) -> int:
        """The number of the last workspace event this page has applied."""
        return int(self.page.locator("body").get_attribute("data-live-event-id"))

    def expect_caught_up(self, event_id: int) -> None:
        """Applied every workspace event up to this one (and is following again)."""
        self.expect_live()
        expect(self.page.locator("body")).to_have_attribute("data-live-event-id", str(event_id))

    def go_offline(self) -> None:
        """The browser (every tab of it) loses its network, while this page is live: as a
        person's connection drops, not in the instant the page is still connecting."""
        self.expect_live()
        self.page.context.set_offline(True)

    def go_online(self) -> None:
        self.page.context.set_offline(False)

    def go_out_of_sight(self) -> None:
        """The person switches to another tab, or minimises the window."""
        self.page.evaluate(SET_VISIBILITY_JS, "hidden")

    def come_back(self) -> None:
        self.page.evaluate(SET_VISIBILITY_JS, "visible")


# The person switches to another tab, or back: the page hears `visibilitychange`.
SET_VISIBILITY_JS = """state => {
  Object.defineProperty(document, "visibilityState", { value: state, configurable: true });
  Object.defineProperty(document, "hidden", { value: state === "hidden", configurable: true });
  document.dispatchEvent(new Event("visibilitychange"));
}"""


class Component:
    """A part of a page; its locators are all relative to `root`."""

    def __init__(self, root: Locator) -> None:
        self.root = root
        self.page = root.page
