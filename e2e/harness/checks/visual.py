"""How the app looks: screenshots of key states against baselines committed in
e2e/look/baselines/<browser>/ (engines lay text out differently), compared with pixelmatch (a
per-pixel colour threshold that ignores anti-aliasing). A state may differ from its
baseline in at most MAX_DIFFERENT_PIXELS pixels; past that, the test fails and its bundle
holds the expected, actual and diff images. After an intended change:
./scripts/test --update-baselines (then review them).
"""

from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageChops
from pixelmatch.contrib.PIL import pixelmatch
from playwright.sync_api import Page

if TYPE_CHECKING:
    from e2e.harness.reports.reporting import Bundle  # a plugin: imported by pytest, not before it

BASELINES = Path(__file__).resolve().parents[2] / "look" / "baselines"
FONTS_CONF = Path(__file__).parent / "fonts.conf"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
THRESHOLD = 0.1  # pixelmatch's colour distance (0 to 1) under which two pixels are alike
MAX_DIFFERENT_PIXELS = 100  # a hidden button or a shifted line is thousands
UPDATE = "--update-baselines"


class Screenshots:
    def __init__(self, bundle: "Bundle", browser: str, prefix: str, update: bool) -> None:
        self.bundle = bundle
        self.browser = browser
        self.baselines = BASELINES / browser
        self.prefix = prefix
        self.update = update

    def expect_look(self, page: Page, state: str) -> None:
        """The page looks as its baseline for this state (animations and caret still)."""
        name = f"{self.prefix}-{state.replace(' ', '-')}"
        # Firefox is held still by its prefs (playwright.config.py's FIREFOX_PREFS).
        still = self.browser == "chromium"
        shot = page.screenshot(
            scale="css",
            caret="hide" if still else "initial",
            animations="disabled" if still else None,
        )
        baseline = self.baselines / f"{name}.png"
        if self.update:
            baseline.write_bytes(shot)
            return
        assert FONT.exists(), f"Visual tests need {FONT} (fonts-dejavu-core): ./scripts/test"
        assert baseline.exists(), f"No baseline for {name}: run ./scripts/test {UPDATE}"
        expected = Image.open(baseline).convert("RGBA")
        actual = Image.open(BytesIO(shot)).convert("RGBA")
        same = expected.size == actual.size and not ImageChops.difference(expected, actual).getbbox(
            alpha_only=False
        )
        if same:
            return  # the same to the pixel: no need for the (slow, pure Python) pixelmatch
        different = self._compare(name, expected, actual)
        assert different <= MAX_DIFFERENT_PIXELS, (
            f"{name} looks different from its baseline in {different} pixels (at most "
            f"{MAX_DIFFERENT_PIXELS}): see {name}-diff.png in {self.bundle.folder}. "
            f"If the change is intended: ./scripts/test {UPDATE}"
        )

    def _compare(self, name: str, expected: Image.Image, actual: Image.Image) -> int:
        self.bundle.attach(f"{name}-expected.png", _png(expected))
        self.bundle.attach(f"{name}-actual.png", _png(actual))
        if expected.size != actual.size:
            return expected.width * expected.height  # all of it: the sizes differ
        diff = Image.new("RGBA", expected.size)
        different = pixelmatch(expected, actual, diff, threshold=THRESHOLD)
        self.bundle.attach(f"{name}-diff.png", _png(diff))
        return different


def _png(image: Image.Image) -> bytes:
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
