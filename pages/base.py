"""Base classes: a page at a path, and a component rooted at a locator."""

from typing import Self

from playwright.sync_api import Locator, Page


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


class Component:
    """A part of a page; its locators are all relative to `root`."""

    def __init__(self, root: Locator) -> None:
        self.root = root
        self.page = root.page
