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


class Component:
    """A part of a page; its locators are all relative to `root`."""

    def __init__(self, root: Locator) -> None:
        self.root = root
        self.page = root.page
