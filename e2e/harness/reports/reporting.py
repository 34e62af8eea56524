"""Failures that explain themselves.

For each failed test (setup and teardown failures included), its folder under
test-results/ holds, beside pytest-playwright's trace.zip and screenshot:

- server.log: the app's log lines for the test (it runs in this process);
- openai-requests.json: every request the app sent to the OpenAI mock;
- browser.json: the browser's console messages and uncaught page errors;
- for a visual test, the expected, actual and diff images of the state that differed.

The terminal summary ends with the one-line `.venv/bin/playwright show-trace` command per failed
test, and the HTML report (--html) links the same files.
"""

import json
import os
import shlex
import sys
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pytest

from e2e.harness.reports import browser_log
from e2e.harness.reports.browser_log import BrowserLog


@dataclass
class Bundle:
    folder: Path
    browser: BrowserLog = field(default_factory=BrowserLog)
    log_sections: list[str] = field(default_factory=list)
    outcomes: dict[str, str] = field(default_factory=dict)
    attachments: dict[str, bytes] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return "failed" in self.outcomes.values()

    def passed(self, when: str) -> bool:
        return self.outcomes.get(when) == "passed"

    def attach(self, name: str, data: bytes) -> None:
        """A file for the bundle, should the test fail."""
        self.attachments[name] = data

    def write(self, item: pytest.Item) -> list[Path]:
        """What the test left to read (nothing for a unit test that logged nothing)."""
        files = {"server.log": "".join(self.log_sections)} if self.log_sections else {}
        if self.browser.entries:
            files["browser.json"] = json.dumps(self.browser.entries, indent=2)
        if (mock := getattr(item, "funcargs", {}).get("openai_mock")) is not None:
            files["openai-requests.json"] = json.dumps(mock.log(), indent=2, ensure_ascii=False)
        if files or self.attachments:
            self.folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (self.folder / name).write_text(text)
        for name, data in self.attachments.items():
            (self.folder / name).write_bytes(data)
        return [self.folder / name for name in [*files, *self.attachments]]


BUNDLE = pytest.StashKey[Bundle]()


@pytest.fixture(autouse=True)
def failure_bundle(request: pytest.FixtureRequest, output_path: str) -> Bundle:
    """Collects what a failure report needs; written only if the test fails."""
    bundle = request.node.stash[BUNDLE] = Bundle(Path(output_path))
    return bundle


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    result = yield
    if (bundle := item.stash.get(BUNDLE, None)) is not None:
        browser_log.check(item, bundle.browser)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    bundle = item.stash.get(BUNDLE, None)
    if bundle is None:
        return report
    bundle.outcomes[report.when] = report.outcome
    if report.caplog:
        bundle.log_sections.append(f"----- {report.when} -----\n{report.caplog}\n")
    if report.when == "teardown" and bundle.failed:
        written = bundle.write(item)
        # Carried on the report, so the summary lists it under xdist too (it runs there).
        report.user_properties.append(("docchat_bundle", [str(f) for f in written]))
        _link_in_html_report(item, report, written)
    return report


def _link_in_html_report(item: pytest.Item, report: pytest.TestReport, files: list[Path]) -> None:
    html = item.config.pluginmanager.getplugin("html")
    report_path = getattr(item.config.option, "htmlpath", None)
    if html is None or not report_path:
        return
    report_dir = Path(item.config.invocation_params.dir, report_path).parent
    extras = getattr(report, "extras", [])
    for file in files:
        link = Path(os.path.relpath(file, report_dir)).as_posix()
        extras.append(html.extras.url(link, name=file.name))
    report.extras = extras  # type: ignore[attr-defined]  # pytest-html's, read from the report


_traces: dict[str, list[str]] = {}
_bundles: dict[str, list[Path]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # pytest-playwright attaches the kept artifacts to the teardown report, as we do.
    for name, value in report.user_properties:
        if name == "playwright_trace":
            _traces.setdefault(report.nodeid, []).append(str(value))
        if name == "docchat_bundle":
            _bundles[report.nodeid] = [Path(file) for file in cast(list[str], value)]


# Playwright's command as this run's interpreter has it (.venv/bin/playwright): a command to
# copy, which a bare `playwright` (not on the PATH outside the venv) is not.
PLAYWRIGHT = os.path.relpath(Path(sys.executable).parent / "playwright")


def pytest_terminal_summary(terminalreporter) -> None:
    failed = {r.nodeid for key in ("failed", "error") for r in terminalreporter.stats.get(key, [])}
    if not failed:
        return
    terminalreporter.section("What each failed test left behind")
    for nodeid in sorted(failed):
        terminalreporter.line(nodeid)
        for trace in _traces.get(nodeid, []):
            terminalreporter.line(f"    {PLAYWRIGHT} show-trace {shlex.quote(trace)}")
        if files := _bundles.get(nodeid):  # none for a unit test that logged nothing
            names = ", ".join(file.name for file in files)
            terminalreporter.line(f"    {files[0].parent}/: {names}")
    if failed & _traces.keys():
        terminalreporter.line(
            "A trace steps through the test (DOM, network, console); the screenshot sits beside it."
        )
