"""axe-core scans (shipped inside axe-playwright-python, so no network is needed)."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

# WCAG 2.1 A and AA, and axe's best practices.
RULES = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    }
}
BLOCKING = ("serious", "critical")
_axe = Axe()


def expect_accessible(page: Page, state: str) -> None:
    """No serious or critical violation in the page as it is now."""
    violations = _axe.run(page, options=RULES).response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    listed = "\n".join(
        f"  [{v['impact']}] {v['id']}: {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in blocking
    )
    assert not blocking, f"Accessibility violations with {state}:\n{listed}"
