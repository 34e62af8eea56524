"""Which parts of web/static/js the browser ran: Chromium's own precise coverage.

Each page of each test is profiled over the DevTools protocol (block granularity, call
counts), and what it ran is saved as raw V8 coverage when the test ends, one file per
page. At the end of the run, monocart-coverage-reports (js_coverage.mjs, Node) merges
every file of every xdist worker into one report: the offsets stay V8's, no hand-written
conversion. Only with `--cov` (see coverage_report.py).
"""

import functools
import json
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, CDPSession, Error, Page

STATIC = Path(__file__).resolve().parents[3] / "web" / "static"
# Chromium gives each new document a new renderer frame, and with it goes the coverage of
# the one before (a click on "New chat" would take sessions.js's with it). With one frame
# per tab, the coverage of every document the tab showed stays until it is taken.
JS_COVERAGE_ARGS = ["--disable-features=RenderDocument"]


def measuring(config: pytest.Config) -> bool:
    """Whether this run measures coverage (pytest-cov's --cov)."""
    return bool(getattr(config.option, "cov_source", None))


class JsCoverage:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._sessions: list[CDPSession] = []

    def watch(self, context: BrowserContext) -> None:
        """Profile every page this context opens, from its first script on."""
        context.on("page", lambda page: self._start(context, page))

    def save(self) -> None:
        """Write what every still-open page ran (a page closed by its test is gone)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for session in self._sessions:
            try:
                scripts = session.send("Profiler.takePreciseCoverage")["result"]
            except Error:  # its page was closed by the test: nothing left to take
                continue
            entries = [entry for script in scripts if (entry := _ours(script))]
            (self.folder / f"{uuid.uuid4().hex}.json").write_text(json.dumps(entries))
        self._sessions.clear()

    def _start(self, context: BrowserContext, page: Page) -> None:
        session = context.new_cdp_session(page)
        session.send("Profiler.enable")
        session.send("Profiler.startPreciseCoverage", {"callCount": True, "detailed": True})
        self._sessions.append(session)


def _ours(script: dict) -> dict | None:
    """The app's own module, named by its path in the repository so runs on other ports
    merge; its source is the file served (StaticFiles sends it unchanged)."""
    path = urlsplit(script["url"]).path
    if not path.startswith("/static/js/"):
        return None
    relative = path.removeprefix("/static/")
    return {
        "url": f"web/static/{relative}",
        "source": _source(relative),
        "functions": script["functions"],
    }


@functools.cache
def _source(relative: str) -> str:
    """Read once per run: every page of every test loads the same few modules."""
    return (STATIC / relative).read_text()
