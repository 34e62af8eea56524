"""The suite's own failure reports: run tests that fail on purpose, check what they leave."""

import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parent.parent
SELFTEST = "e2e/selftest/test_fails_on_purpose.py"


def run_failing_tests(results: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            SELFTEST,
            "-p",
            "no:xdist",
            f"--output={results}",
            f"--html={results}/report.html",
            f"--junitxml={results}/junit.xml",
        ],
        cwd=ROOT,
        env={**os.environ, "DOCCHAT_SELFTEST": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_failing_test_leaves_a_bundle_a_report_and_the_trace_command(tmp_path: Path) -> None:
    results = tmp_path / "results"

    run = run_failing_tests(results)

    assert run.returncode == 1, run.stdout + run.stderr
    body = results / "e2e-selftest-test-fails-on-purpose-py-test-fails-in-the-test-body-chromium"
    teardown = results / "e2e-selftest-test-fails-on-purpose-py-test-fails-in-teardown-chromium"
    for folder in (body, teardown):  # a teardown failure keeps everything too
        assert (folder / "trace.zip").stat().st_size > 0
        assert list(folder.glob("test-failed-*.png"))
        assert "POST /api/sessions" in (folder / "server.log").read_text()
        requests = json.loads((folder / "openai-requests.json").read_text())["requests"]
        assert requests[0]["body"]["messages"][-1] == {"role": "user", "content": "Hello?"}
        assert f"playwright show-trace {folder}/trace.zip" in run.stdout
    browser = json.loads((body / "browser.json").read_text())
    assert {"kind": "console", "type": "error", "text": "logged on purpose"}.items() <= browser[
        -1
    ].items()
    assert "still holds 1 answer job(s), 0 subscriber(s)" in run.stdout

    html = (results / "report.html").read_text()
    for name in ("Trace", "Screenshot", "server.log", "openai-requests.json", "browser.json"):
        assert name in html
    suite = ElementTree.parse(results / "junit.xml").getroot().find("testsuite")
    assert (suite.get("failures"), suite.get("errors")) == ("1", "1")
