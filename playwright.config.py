"""The one place for browser and test knobs; the suite reads it through e2e/harness/config.py.

Artifacts (a trace and a screenshot of every failure, under test-results/) are set in
pyproject.toml's addopts; flags given on the command line win over them.
"""

import os
import subprocess
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

VIEWPORT = {"width": 1280, "height": 800}

# Device profiles: a test runs on the desktop, and on each profile its
# `@pytest.mark.devices(...)` names. "phone" is one of Playwright's descriptors, 360 px
# wide (the narrowest the app supports), with a touch screen the page objects tap;
# "keyboard" is the desktop worked with the keyboard alone.
DEVICES = {"desktop": None, "phone": "Galaxy S8", "keyboard": None}

# Timeouts, in milliseconds. Web-first assertions retry until EXPECT_TIMEOUT.
EXPECT_TIMEOUT = 5_000
ACTION_TIMEOUT = 10_000
NAVIGATION_TIMEOUT = 15_000


# Which browser (pytest's --browser: chromium, or firefox): its env var's executable, else
# Playwright's own build, else the system's.
@dataclass(frozen=True)
class Engine:
    env: str  # names an executable to launch instead
    system: tuple[str, ...]  # where the system's build may be
    package: str  # Debian's package of it
    # How Playwright drives the system's build, when not as its own: Debian's Firefox has
    # none of Playwright's patches, so it is driven over WebDriver BiDi ("moz-firefox"),
    # which works with the Playwright pinned in pyproject.toml (it says why that one).
    channel: str | None = None


ENGINES = {
    "chromium": Engine(
        "DOCCHAT_CHROMIUM",
        ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"),
        "chromium",
    ),
    "firefox": Engine(
        "DOCCHAT_FIREFOX",
        ("/usr/bin/firefox-esr", "/usr/bin/firefox"),
        "firefox-esr",
        "moz-firefox",
    ),
}

# Quiet, offline-friendly Chromium: no background calls home, no first-run UI.
CHROMIUM_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-gpu",
]

# Firefox, held still for screenshots: no animations (the app honours reduced motion) and a
# caret that does not blink. Playwright's own way (a style it adds to the page) is refused
# by the app's CSP on Firefox over BiDi, so the lane's prefs do it.
FIREFOX_PREFS = {"ui.prefersReducedMotion": 1, "ui.caretBlinkTime": -1}

# Remote browsers: a Playwright browser server (`playwright run-server`, or the
# mcr.microsoft.com/playwright image) instead of a local launch. The app under test then
# listens on SERVER_BIND_ENV (e.g. 0.0.0.0) and the browser reaches it at SERVER_HOST_ENV
# (e.g. host.docker.internal). The browser server launches its own Chromium.
BROWSER_WS_ENV = "DOCCHAT_BROWSER_WS"
SERVER_BIND_ENV = "DOCCHAT_E2E_BIND"
SERVER_HOST_ENV = "DOCCHAT_E2E_HOST"


def remote_browser() -> dict | None:
    """pytest-playwright's connect_options, when a browser server is configured."""
    endpoint = os.environ.get(BROWSER_WS_ENV)
    return {"endpoint": endpoint} if endpoint else None


def server_addresses() -> tuple[str, str]:
    """Where the app under test listens, and the host name the browser uses for it."""
    bind = os.environ.get(SERVER_BIND_ENV, "127.0.0.1")
    return bind, os.environ.get(SERVER_HOST_ENV, "127.0.0.1" if bind == "0.0.0.0" else bind)


class BrowserNotFound(RuntimeError):
    pass


def launch_args(browser: str, playwright_default: str) -> dict[str, str]:
    """How to launch `browser` (executable_path, channel); none means Playwright's own."""
    if remote_browser():
        return {}  # the browser server's own
    engine = ENGINES[browser]
    override = os.environ.get(engine.env)
    if override and not Path(override).is_file():
        raise BrowserNotFound(f"{engine.env}={override} is not a file.\n{_hint(browser)}")
    if not override and Path(playwright_default).is_file():
        return {}
    executable = override or next((p for p in engine.system if Path(p).is_file()), None)
    if not executable:
        raise BrowserNotFound(_hint(browser))
    channel = {"channel": engine.channel} if engine.channel else {}
    return {"executable_path": executable, **channel}


def _hint(browser: str) -> str:
    engine = ENGINES[browser]
    return f"""No {browser} found for the end-to-end suite. Do one of:
  - Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y {engine.package}
  - with internet:  python -m playwright install {browser}
  - or point {engine.env} at its executable."""


# What a browser route cannot do. A test that needs it is marked `needs(capability)` (a
# test on the phone profile needs "phone") and is left out there, with the reason.
CAPABILITIES = ("cdp", "phone")


def lacks(browser: str, launched_with: dict) -> dict[str, str]:
    """The capabilities `browser`, launched with these arguments, lacks, and why."""
    if browser == "chromium":
        return {}
    phone = "Playwright emulates no phone (is_mobile) in Firefox"
    if launched_with.get("channel") == "moz-firefox":
        phone += ", nor over WebDriver BiDi a touch screen (has_touch, tap)"
    return {
        "cdp": "the Chrome DevTools Protocol (Input.imeSetComposition) is Chromium's",
        "phone": phone,
    }


def cannot_drive(browser: str, launched_with: dict, error: str) -> str:
    """What to say when this Playwright cannot launch or drive the browser: both versions."""
    executable = launched_with.get("executable_path")
    if not executable:
        return f"Playwright {version('playwright')} cannot drive its own {browser}: {error}"
    said = subprocess.run([executable, "--version"], capture_output=True, text=True, check=False)
    channel = launched_with.get("channel")
    return (
        f"Playwright {version('playwright')} cannot drive {said.stdout.strip() or browser} "
        f"({executable}{f', channel {channel}' if channel else ''}). "
        "Pin the newest Playwright that drives it in pyproject.toml (it says why the one "
        f"pinned there).\n{error.splitlines()[0]}"
    )
