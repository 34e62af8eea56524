"""Base classes: a page at a path, and a component rooted at a locator."""

import functools
import inspect
from collections.abc import Callable
from typing import Concatenate, ParamSpec, Self, TypeVar

from playwright.sync_api import Locator, Page, expect

from pages.hands import Files, Hands, hands_of


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
        value = self.page.locator("body").get_attribute("data-live-event-id")
        assert value is not None, "The page says no live event id (data-live-event-id)"
        return int(value)

    def expect_caught_up(self, event_id: int) -> None:
        """Applied every workspace event up to this one (and is following again)."""
        self.expect_live()
        expect(self.page.locator("body")).to_have_attribute("data-live-event-id", str(event_id))

    def expect_fits_width(self, state: str) -> None:
        """Nothing shown sticks out sideways: no element past the window's edges, and no
        sideways scrolling but inside code blocks and tables, which scroll on their own."""
        outside = self.page.evaluate(OUTSIDE_THE_WIDTH_JS)
        listed = "\n  ".join(outside[:10]) + (
            f"\n  and {len(outside) - 10} more" if len(outside) > 10 else ""
        )
        assert not outside, f"Wider than the window with {state}:\n  {listed}"

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


OUTSIDE_THE_WIDTH_JS = r"""() => {
  const width = document.documentElement.clientWidth;
  const describe = (el) => `<${el.tagName.toLowerCase()} class="${el.className}">`
    + ` "${(el.innerText || "").replace(/\s+/g, " ").trim().slice(0, 30)}"`;
  const outside = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (!el.checkVisibility({ visibilityProperty: true }) || el.closest("pre, table")) continue;
    const box = el.getBoundingClientRect();
    if (box.width && (box.left < -0.5 || box.right > width + 0.5)) {
      outside.push(`${describe(el)} spans ${Math.round(box.left)} to ${Math.round(box.right)} px`);
    }
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== "hidden") {
      outside.push(`${describe(el)} scrolls sideways: ${el.scrollWidth} px in ${el.clientWidth}`);
    }
  }
  return outside;
}"""

# The person switches to another tab, or back: the page hears `visibilitychange`.
SET_VISIBILITY_JS = """state => {
  Object.defineProperty(document, "visibilityState", { value: state, configurable: true });
  Object.defineProperty(document, "hidden", { value: state === "hidden", configurable: true });
  document.dispatchEvent(new Event("visibilitychange"));
}"""


class Component:
    """A part of a page; its locators are all relative to `root`.

    Every public method of a component first brings it into view (`reveal`): on a phone,
    the drawer opens for the sidebar's parts and closes for the chat's, as a person would
    before looking at them. Actions go through the person's hands: mouse, finger or keyboard.
    """

    def __init__(self, root: Locator, reveal: Callable[[], None] = lambda: None) -> None:
        self.root = root
        self.page = root.page
        self.reveal = reveal

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        for name, member in list(vars(cls).items()):
            if inspect.isfunction(member) and not name.startswith("_"):
                setattr(cls, name, _revealing_first(member))

    @property
    def hands(self) -> Hands:
        return hands_of(self.page)

    def press(self, target: Locator) -> None:
        """Click, tap, or Tab to it and press Enter (Space for a checkbox)."""
        self.reveal()
        self.hands.press(target)

    def focus(self, target: Locator) -> None:
        """Click or tap into it, or Tab to it."""
        self.reveal()
        self.hands.focus(target)

    def enter_text(self, target: Locator, text: str) -> None:
        """In place of what the field held."""
        self.reveal()
        self.hands.fill(target, text)

    def set_checked(self, target: Locator, checked: bool = True) -> None:
        self.reveal()
        self.hands.set_checked(target, checked)

    def choose_files(self, target: Locator, files: Files) -> None:
        self.reveal()
        self.hands.choose_files(target, files)


P = ParamSpec("P")
R = TypeVar("R")


def _revealing_first(
    method: Callable[Concatenate["Component", P], R],
) -> Callable[Concatenate["Component", P], R]:
    @functools.wraps(method)
    def revealing(self: "Component", /, *args: P.args, **kwargs: P.kwargs) -> R:
        self.reveal()
        return method(self, *args, **kwargs)

    return revealing
