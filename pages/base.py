"""Base classes: a page at a path, and a component rooted at a locator."""

from typing import Self

from playwright.sync_api import Locator, Page, expect


class BasePage:
    path = "/"

    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self) -> Self:
        self.page.goto(self.path)
        return self

    def reload(self) -> Self:
        self.page.reload()
        return self

    def expect_heading(self, text: str) -> None:
        expect(self.page.get_by_role("heading", level=1)).to_have_text(text)


class Component:
    """A part of a page; its locators are all relative to `root`."""

    def __init__(self, root: Locator) -> None:
        self.root = root
        self.page = root.page

    def expect_visible(self) -> None:
        expect(self.root).to_be_visible()
