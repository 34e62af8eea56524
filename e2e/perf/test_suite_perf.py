"""The suite itself: wall time serially and in parallel, and what each test costs in setup."""

import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest
from playwright.sync_api import Browser

from e2e.harness.server.live_server import LiveServer
from e2e.perf.report import PerfReport
from pages import AppShell
from pages.base import BasePage
from web.settings import Settings

pytestmark = pytest.mark.perf
ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 10
OUT = "/tmp/docchat-suite-perf"  # the measured run's own artifacts, apart from this run's


def test_per_test_overhead_against_a_bare_playwright_test(
    browser: Browser, app_settings: Settings, openai_mock, perf: PerfReport
) -> None:
    """A bare test (new context, a heading) against ours (plus a fresh app and its page)."""

    def bare() -> None:
        context = browser.new_context()
        page = context.new_page()
        page.set_content("<h1>Chat with your documents</h1>")
        BasePage(page).expect_heading("Chat with your documents")
        context.close()

    def ours() -> None:
        server = LiveServer(app_settings)
        server.start()
        context = browser.new_context(base_url=server.url)
        page = context.new_page()
        AppShell(page).open().expect_heading("Chat with your documents")
        context.close()
        server.expect_idle()
        server.stop()

    timings = {}
    for name, run in (("bare", bare), ("ours", ours)):
        start = time.perf_counter()
        for _ in range(ROUNDS):
            run()
        timings[name] = (time.perf_counter() - start) / ROUNDS * 1000
    perf.record("bare_playwright_test_ms", timings["bare"], "ms")
    perf.record(
        "docchat_test_overhead_ms",
        timings["ours"] - timings["bare"],
        "ms",
        "fresh app, data dir, page load, leak check",
    )


@pytest.mark.parametrize("workers", ["0", "auto"])
def test_functional_suite_wall_time(perf: PerfReport, workers: str) -> None:
    """The suite's wall time, beside the sum of its tests' durations (what parallel runs
    gain), and its longest test (which decides the tail of a parallel run)."""
    junit = Path(OUT) / f"junit-{workers}.xml"
    start = time.perf_counter()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-n",
            workers,
            "--output",
            OUT,
            "--html=",
            f"--junitxml={junit}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    elapsed = time.perf_counter() - start
    assert run.returncode == 0, run.stdout[-3000:]
    label = "serial" if workers == "0" else "parallel"
    durations = durations_s(junit)
    longest = max(durations, key=durations.__getitem__)
    summary = run.stdout.strip().splitlines()[-1].strip("= ")
    perf.record(f"suite_wall_time_{label}_s", elapsed, "s", summary)
    perf.record(f"suite_longest_test_{label}_s", durations[longest], "s", longest)
    if workers == "auto":
        perf.record(
            "suite_test_durations_parallel_s",
            sum(durations.values()),
            "s",
            "every test's setup, call and teardown added up, against the wall time",
            baseline=elapsed,
        )


def durations_s(junit: Path) -> dict[str, float]:
    """Each test's time in a JUnit report (its setup, call and teardown), by its name."""
    cases = ElementTree.parse(junit).getroot().iter("testcase")
    return {
        f"{case.get('classname')}.{case.get('name')}": float(case.get("time", 0)) for case in cases
    }
