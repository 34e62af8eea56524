"""The one place for browser and test knobs; e2e/conftest.py reads it.

Artifacts (a trace and a screenshot of every failure, under test-results/) are set in
pyproject.toml's addopts; flags given on the command line win over them.
"""

import os
from pathlib import Path

BROWSER = "chromium"
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


# Which Chromium: this env var, else Playwright's own build, else the system's.
CHROMIUM_ENV = "DOCCHAT_CHROMIUM"
SYSTEM_CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
# Quiet, offline-friendly Chromium: no background calls home, no first-run UI.
CHROMIUM_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-gpu",
]

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


INSTALL_HINT = f"""No Chromium found for the end-to-end suite. Do one of:
  - Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y chromium
  - with internet:  python -m playwright install chromium
  - or point {CHROMIUM_ENV} at a Chromium/Chrome executable."""


class ChromiumNotFound(RuntimeError):
    pass


def chromium_executable(playwright_default: str) -> str | None:
    """The executable to launch; None means Playwright's own build."""
    if remote_browser():
        return None  # the browser server's own
    override = os.environ.get(CHROMIUM_ENV)
    if override:
        if not Path(override).is_file():
            raise ChromiumNotFound(f"{CHROMIUM_ENV}={override} is not a file.\n{INSTALL_HINT}")
        return override
    if Path(playwright_default).is_file():
        return None
    for candidate in SYSTEM_CHROMIUM:
        if Path(candidate).is_file():
            return candidate
    raise ChromiumNotFound(INSTALL_HINT)
