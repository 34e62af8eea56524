"""How the person works the page: a mouse, a finger on a touch screen, or the keyboard alone.

Page objects act through `hands_of(page)`, so one test reads the same on every device; the
test set-up says which hands a browser context's pages get (`use`).
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol
from weakref import WeakKeyDictionary

from playwright.sync_api import BrowserContext, FilePayload, Locator, Page
from playwright.sync_api import Keyboard as PlaywrightKeyboard

Files = Sequence[Path | FilePayload]


def one_kind(files: Files) -> Sequence[Path] | Sequence[FilePayload]:
    """The files as Playwright takes them: paths, or payloads, not both at once."""
    paths = [file for file in files if isinstance(file, Path)]
    payloads = [file for file in files if not isinstance(file, Path)]
    assert not (paths and payloads), "Choose files on disk or payloads, not both at once"
    return paths or payloads


class Hands(Protocol):
    def press(self, target: Locator) -> None: ...
    def focus(self, target: Locator) -> None: ...
    def fill(self, target: Locator, text: str) -> None: ...
    def set_checked(self, target: Locator, checked: bool) -> None: ...
    def choose_files(self, target: Locator, files: Files) -> None: ...


class Mouse:
    def press(self, target: Locator) -> None:
        target.click()

    def focus(self, target: Locator) -> None:
        target.click()

    def fill(self, target: Locator, text: str) -> None:
        target.fill(text)

    def set_checked(self, target: Locator, checked: bool) -> None:
        target.set_checked(checked)

    def choose_files(self, target: Locator, files: Files) -> None:
        target.set_input_files(one_kind(files))


class Finger(Mouse):
    """Taps, and files chosen in the picker a tap on the upload button opens."""

    def press(self, target: Locator) -> None:
        target.tap()

    def focus(self, target: Locator) -> None:
        target.tap()

    def set_checked(self, target: Locator, checked: bool) -> None:
        if target.is_checked() != checked:
            target.tap()

    def choose_files(self, target: Locator, files: Files) -> None:
        with target.page.expect_file_chooser() as chooser:
            target.tap()
        chooser.value.set_files(one_kind(files))


# Tab stops a page may have before the target; past them, the target is not reachable.
MAX_TAB_STOPS = 80

IS_FOCUSED_JS = "el => el === document.activeElement"
# A radio group is one tab stop: any radio of the target's group will do.
IS_GROUP_FOCUSED_JS = """el => {
  const active = document.activeElement;
  return active?.type === "radio" && active.name === el.name && active.form === el.form;
}"""
# Which way to go from where the focus is: back if it is past the target.
DIRECTION_JS = """el => {
  const active = document.activeElement;
  const past = active && active !== document.body
    && el.compareDocumentPosition(active) & Node.DOCUMENT_POSITION_FOLLOWING;
  return past ? "Shift+Tab" : "Tab";
}"""
DESCRIBE_FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "(nothing)";
  const name = el.getAttribute("aria-label") || el.labels?.[0]?.innerText || el.innerText || "";
  return `${el.tagName.toLowerCase()} "${name.trim().slice(0, 40)}"`;
}"""
# A focus ring on the element, or on the label it sits in (the upload button's file input).
SHOWS_FOCUS_JS = """el => [el, el.closest("label")].some((shown) => {
  if (!shown) return false;
  const style = getComputedStyle(shown);
  return style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
})"""


class Keyboard:
    """Tab and Shift+Tab to the target, then Enter, Space or the arrow keys; never a click.

    Every tab stop on the way is checked to show where the focus is.
    """

    def press(self, target: Locator) -> None:
        self.focus(target)
        kind = target.evaluate("el => el.type")
        target.page.keyboard.press("Space" if kind in ("checkbox", "file") else "Enter")

    def fill(self, target: Locator, text: str) -> None:
        self.focus(target)
        keyboard = target.page.keyboard
        keyboard.press("ControlOrMeta+A")
        keyboard.press("Delete")
        type_lines(keyboard, text)

    def set_checked(self, target: Locator, checked: bool) -> None:
        if target.evaluate("el => el.type") == "radio":
            self.focus(target, IS_GROUP_FOCUSED_JS)
            for _ in range(target.evaluate("el => el.form.elements[el.name].length")):
                if target.is_checked():
                    return
                target.page.keyboard.press("ArrowDown")
            raise AssertionError(f"The arrow keys never chose {target}")
        self.focus(target)
        if target.is_checked() != checked:
            target.page.keyboard.press("Space")

    def choose_files(self, target: Locator, files: Files) -> None:
        self.focus(target)
        with target.page.expect_file_chooser() as chooser:
            target.page.keyboard.press("Space")
        chooser.value.set_files(one_kind(files))

    def focus(self, target: Locator, is_focused: str = IS_FOCUSED_JS) -> None:
        """Tab (or Shift+Tab) until the focus is on the target, as a person would, in the
        window in front (Firefox shows focus in that window only)."""
        page = target.page
        page.bring_to_front()
        visited: list[str] = []
        for _ in range(MAX_TAB_STOPS):
            if target.evaluate(is_focused):
                return
            before = page.evaluate_handle("() => document.activeElement")
            page.keyboard.press(target.evaluate(DIRECTION_JS))
            visited.append(page.evaluate(DESCRIBE_FOCUS_JS))
            if page.evaluate("before => document.activeElement === before", before):
                break  # stuck: the focus goes nowhere further that way
            shown = page.evaluate(f"() => ({SHOWS_FOCUS_JS})(document.activeElement)")
            assert shown, f"The focus on {visited[-1]} is not shown"
        raise AssertionError(f"Tab never reached {target}; it went: {' → '.join(visited)}")


class PointerGuard:
    """Keeps a keyboard-only test honest: every mouse button or touch pressed in the
    context's pages is reported, and there must be none."""

    def __init__(self) -> None:
        self.presses: list[str] = []

    def watch(self, context: BrowserContext) -> None:
        context.expose_binding("docchatPointerDown", self._pressed)
        context.add_init_script(
            "addEventListener('pointerdown', (e) => docchatPointerDown("
            "`${e.pointerType} on ${e.target.outerHTML.slice(0, 80)}`), true);"
        )

    def _pressed(self, source: dict[str, Any], what: str) -> None:
        self.presses.append(f"{what} at {source['page'].url}")

    def expect_unused(self) -> None:
        assert not self.presses, f"Pressed with a pointer, not the keyboard: {self.presses}"


def type_lines(keyboard: PlaywrightKeyboard, text: str) -> None:
    """Type as a person would: each newline is Shift+Enter (Enter alone would send)."""
    for number, line in enumerate(text.split("\n")):
        if number:
            keyboard.press("Shift+Enter")
        keyboard.type(line)


MOUSE = Mouse()
_used: WeakKeyDictionary[BrowserContext, Hands] = WeakKeyDictionary()


def use(context: BrowserContext, hands: Hands) -> None:
    """The pages of this context are worked with these hands (a mouse unless said)."""
    _used[context] = hands


def hands_of(page: Page) -> Hands:
    return _used.get(page.context, MOUSE)
