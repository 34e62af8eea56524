"""The suite's own failure reports: run tests that fail on purpose, check what they leave."""

import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
SELFTEST = "e2e/selftest/test_fails_on_purpose.py"


def run_failing_tests(
    results: Path, tests: str = SELFTEST, workers: tuple[str, ...] = ("-p", "no:xdist")
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            tests,
            *workers,
            f"--output={results}",
            f"--html={results}/report.html",
            f"--junitxml={results}/junit.xml",
        ],
        cwd=ROOT,
        env={
            # Not measured for coverage (tests that fail on purpose cover nothing new).
            **{name: value for name, value in os.environ.items() if "COVERAGE" not in name},
            "DOCCHAT_SELFTEST": "1",
            # An answer left running on purpose is found left over in 0.5 s, not 5.
            "DOCCHAT_TEST_IDLE_TIMEOUT_S": "0.5",
        },
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
    assert "0.5s after the test the server still holds 1 answer job(s), 0 subscriber(s)" in (
        run.stdout
    )

    html = (results / "report.html").read_text()
    for name in ("Trace", "Screenshot", "server.log", "openai-requests.json", "browser.json"):
        assert name in html
    suite = ElementTree.parse(results / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("failures"), suite.get("errors")) == ("1", "1")
    assert suite.get("tests") == str(len(suite.findall("testcase"))) == "2"  # counts match


def test_a_visual_change_fails_with_the_expected_actual_and_diff_images(tmp_path: Path) -> None:
    results = tmp_path / "results"

    # In a worker process, as ./scripts/test runs the suite (-n auto).
    run = run_failing_tests(results, "e2e/selftest/test_looks_wrong_on_purpose.py", ("-n", "1"))

    assert run.returncode == 1, run.stdout + run.stderr
    assert "desktop-empty-app looks different from its baseline in" in run.stdout
    assert "./scripts/test --update-baselines" in run.stdout
    folder = results / (
        "e2e-selftest-test-looks-wrong-on-purpose-py-test-a-button-hidden-by-a-css-change-chromium"
    )
    images = ", ".join(f"desktop-empty-app-{kind}.png" for kind in ("expected", "actual", "diff"))
    assert f"{folder}/: server.log, openai-requests.json, {images}" in run.stdout
    expected, actual, diff = (
        Image.open(folder / f"desktop-empty-app-{kind}.png")
        for kind in ("expected", "actual", "diff")
    )
    assert expected.size == actual.size == diff.size == (1280, 800)
    # pixelmatch paints what differs red: both buttons, in the sidebar and in the page.
    sidebar, page = diff.crop((0, 0, 300, 800)), diff.crop((300, 0, 1280, 800))
    assert _red(sidebar) > 1000 and _red(page) > 1000, (_red(sidebar), _red(page))


def _red(image: Image.Image) -> int:
    colours = image.convert("RGB").getcolors(1 << 24)
    assert colours is not None  # fewer than 2**24 colours, always
    counts = {colour: count for count, colour in colours}
    return counts.get((255, 0, 0), 0)
