"""What the suite covers, Python and JavaScript, in one report: only with `--cov`.

Python: pytest-cov and coverage.py (settings in pyproject.toml), the in-process server,
its threads, `python -m web` subprocesses and the parsers' fork-server children
included. JavaScript: js_coverage.py in every browser context. At the end of the run (on
the xdist controller) this plugin merges the JavaScript, writes
test-results/coverage/summary.md, prints it, and fails the run below `--js-cov-fail-under`
(pytest-cov's `--cov-fail-under` guards Python). `pytest --cov` alone is enough.
"""

import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import coverage
import pytest

from e2e.harness.reports.js_coverage import JsCoverage, measuring

ROOT = Path(__file__).resolve().parents[3]
REPORT = ROOT / "test-results" / "coverage"
JS_RAW = REPORT / "js-raw"
# Each one is a decision with its reason on the same line; the summary counts them.
PY_EXCLUSION = re.compile(r"#\s*pragma: no (cover|branch)\b")
JS_EXCLUSION = re.compile(r"v8 ignore (next|start)\b")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--js-cov-fail-under",
        type=float,
        default=None,
        help="With --cov: fail if less than this % of web/static/js lines ran",
    )


def _is_controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput")


def pytest_sessionstart(session: pytest.Session) -> None:
    if measuring(session.config) and _is_controller(session.config):
        for stale in JS_RAW.glob("*.json"):
            stale.unlink()


@pytest.fixture
def js_coverage(request: pytest.FixtureRequest) -> Iterator[JsCoverage | None]:
    """Watches this test's browser contexts when measuring; saves before they close."""
    if not measuring(request.config):
        yield None
        return
    watcher = JsCoverage(JS_RAW)
    yield watcher
    watcher.save()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> Iterator[None]:
    # Outside pytest-cov's own wrapper: its Python reports exist when this resumes.
    result = yield
    config = session.config
    if measuring(config) and _is_controller(config):
        summary = summarize(js_floor=config.option.js_cov_fail_under)
        config.stash[SUMMARY] = summary
        if summary.failed_floor:
            session.testsfailed += 1
    return result


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    summary = terminalreporter.config.stash.get(SUMMARY, None)
    if summary is None:
        return
    terminalreporter.write_sep("=", "coverage summary (test-results/coverage/summary.md)")
    terminalreporter.write(summary.markdown + "\n")
    if summary.failed_floor:
        terminalreporter.write(summary.failed_floor + "\n", red=True, bold=True)


@dataclass(frozen=True)
class Summary:
    markdown: str
    failed_floor: str  # what fell below a floor, or ""


SUMMARY = pytest.StashKey[Summary]()


def summarize(js_floor: float | None, python_floor: float | None = None) -> Summary:
    """The report of what the run measured, and what fell below a floor (pytest-cov's own
    `--cov-fail-under` guards Python in a run; `python_floor` where nothing else does)."""
    js = _merge_javascript()
    python = _python_reports()
    python_exclusions = _count(ROOT / "web", "*.py", PY_EXCLUSION)
    js_exclusions = _count(ROOT / "web" / "static" / "js", "*.js", JS_EXCLUSION)
    lines = ["# Coverage", "", *_python_table(python), "", *_js_table(js)]
    lines += [
        "",
        f"Exclusions: {python_exclusions} in Python (`# pragma: no cover` or `no branch`), "
        f"{js_exclusions} in JavaScript (`v8 ignore`), each with its reason on the line.",
        "App processes that crash tests kill save their data just before the SIGKILL "
        "(e2e/harness/server/measured_app.py);"
        " a parser child killed at its time limit loses its own.",
        "Reports: python/index.html and js/index.html beside this file.",
    ]
    markdown = "\n".join(lines)
    (REPORT / "summary.md").write_text(markdown + "\n")
    below = [_python_below_floor(python, python_floor), _js_below_floor(js, js_floor)]
    return Summary(markdown, "\n".join(filter(None, below)))


def _python_below_floor(python: dict, floor: float | None) -> str:
    percent = python["totals"]["percent_covered"]
    if floor is None or percent >= floor:
        return ""
    return f"FAIL: Python coverage {percent:.2f}% is below {floor}% (python/index.html)."


def _js_below_floor(js: dict, floor: float | None) -> str:
    """What fell below the JavaScript floor, line by line; "" if nothing did."""
    if floor is None or js["lines"]["pct"] >= floor:
        return ""
    uncovered = "\n".join(
        f"  {path}: lines {file['uncoveredLines']}"
        for path, file in js["files"].items()
        if file["uncoveredLines"]
    )
    return (
        f"FAIL: JavaScript line coverage {js['lines']['pct']:.2f}% is below {floor}%."
        f" Not run:\n{uncovered}"
    )


def _python_reports() -> dict:
    """HTML and JSON from the data pytest-cov has just combined (workers, subprocesses)."""
    measured = coverage.Coverage()  # settings from pyproject.toml
    measured.load()
    measured.html_report(directory=str(REPORT / "python"))
    measured.json_report(outfile=str(REPORT / "python.json"))
    return json.loads((REPORT / "python.json").read_text())


def _merge_javascript() -> dict:
    JS_RAW.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(
            ["node", str(Path(__file__).with_name("js_coverage.mjs")), str(JS_RAW), str(REPORT)],
            cwd=ROOT,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        raise pytest.UsageError(
            f"The JavaScript coverage report needs Node.js and `npm ci` ({exc}); "
            "./scripts/test --cov installs both."
        ) from exc
    return json.loads((REPORT / "js-summary.json").read_text())


def _python_table(report: dict) -> list[str]:
    def counts(s: dict) -> tuple[Counts, Counts]:
        return (
            (s["covered_lines"], s["num_statements"]),
            (s["covered_branches"], s["num_branches"]),
        )

    files = {path: counts(file["summary"]) for path, file in report["files"].items()}
    return _table("Python (web/)", files, counts(report["totals"]))


def _js_table(report: dict) -> list[str]:
    def counts(s: dict) -> tuple[Counts, Counts]:
        return (
            (s["lines"]["covered"], s["lines"]["total"]),
            (s["branches"]["covered"], s["branches"]["total"]),
        )

    files = {path: counts(file) for path, file in report["files"].items()}
    return _table("JavaScript (web/static/js/)", files, counts(report))


Counts = tuple[int, int]  # covered, total


def _table(
    title: str, files: dict[str, tuple[Counts, Counts]], total: tuple[Counts, Counts]
) -> list[str]:
    """A row for each file short of 100 %, then the rest counted, then the total."""
    rows = [f"| {title} | lines | branches |", "|---|---|---|"]
    complete = [path for path, counts in files.items() if all(c == t for c, t in counts)]
    for path, (lines, branches) in sorted(files.items()):
        if path not in complete:
            rows.append(f"| {path} | {_pct(*lines)} | {_pct(*branches)} |")
    rows.append(f"| the other {len(complete)} files | 100 % | 100 % |")
    rows.append(f"| **total** | {_pct(*total[0])} | {_pct(*total[1])} |")
    return rows


def _pct(covered: int, total: int) -> str:
    percent = 100 * covered / total if total else 100.0
    return f"{percent:.1f} % ({covered}/{total})"


def _count(folder: Path, pattern: str, marker: re.Pattern[str]) -> int:
    return sum(len(marker.findall(f.read_text())) for f in folder.rglob(pattern))
