"""Failures that say how to debug them: the trace command for each failed test."""

import shlex

import pytest

_traces: dict[str, list[str]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # pytest-playwright attaches the kept artifacts to the teardown report.
    for name, path in report.user_properties:
        if name == "playwright_trace":
            _traces.setdefault(report.nodeid, []).append(str(path))


def pytest_terminal_summary(terminalreporter) -> None:
    failed = {r.nodeid for key in ("failed", "error") for r in terminalreporter.stats.get(key, [])}
    lines = [
        f"{nodeid}\n    playwright show-trace {shlex.quote(trace)}"
        for nodeid in sorted(failed)
        for trace in _traces.get(nodeid, [])
    ]
    if lines:
        terminalreporter.section("Playwright traces of failed tests")
        terminalreporter.line("Open one to step through the test (DOM, network, console):")
        for line in lines:
            terminalreporter.line(line)
        terminalreporter.line("A screenshot of the page as it failed sits beside each trace.")
