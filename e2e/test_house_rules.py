"""The house rules (README, "House rules"): no test file builds a locator (page objects
own the selectors) or waits by the clock; and the import graph has no cycles, its arrows
pointing down from the routes to storage (the contracts in pyproject.toml)."""

import ast
import json
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from importlinter.cli import lint_imports
from pytest_split.algorithms import Algorithms

E2E = Path(__file__).parent
ROOT = E2E.parent
TEST_FILES = sorted(E2E.rglob("test_*.py"))

# Ways to find an element; only page objects (pages/) may use them.
LOCATING = {
    "locator",
    "get_by_role",
    "get_by_text",
    "get_by_label",
    "get_by_test_id",
    "get_by_placeholder",
    "get_by_title",
    "get_by_alt_text",
    "query_selector",
    "query_selector_all",
    "wait_for_selector",
}
# Ways to wait by the clock instead of for what the page or the server says.
SLEEPING = {"sleep", "wait_for_timeout"}


def broken_rules(source: str) -> list[str]:
    """Each call in `source` that builds a locator or sleeps, with its line."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", None))
            if name in LOCATING:
                found.append((node.lineno, f"{name}() builds a locator"))
            if name in SLEEPING:
                found.append((node.lineno, f"{name}() waits by the clock"))
    return [f"line {line}: {what}" for line, what in sorted(found)]


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda path: str(path.relative_to(E2E)))
def test_a_test_file_builds_no_locator_and_never_sleeps(path: Path) -> None:
    broken = broken_rules(path.read_text())
    assert not broken, f"{path.relative_to(E2E)} breaks the house rules:\n  " + "\n  ".join(broken)


def test_the_check_catches_a_locator_and_a_sleep() -> None:
    broken = broken_rules(
        "import time\n"
        "def test_x(page):\n"
        "    page.get_by_role('button', name='Send').click()\n"
        "    time.sleep(1)\n"
        "    page.wait_for_timeout(500)\n"
    )
    assert broken == [
        "line 3: get_by_role() builds a locator",
        "line 4: sleep() waits by the clock",
        "line 5: wait_for_timeout() waits by the clock",
    ]


def test_the_import_graph_has_no_cycles_and_points_down_the_layers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    broken = lint_imports(str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert broken == 0, capsys.readouterr().out


FILE_NAME = re.compile(r"[\w.*-]+\.(?:py|mjs|conf|sql|toml)\b")
LAID_OUT = ("web", "pages", "e2e")
NOT_LISTED_ONE_BY_ONE = ("__init__.py", "test_", "e2e/selftest/")


def test_the_readme_layout_names_every_file_and_only_files_that_exist() -> None:
    readme = (ROOT / "README.md").read_text()
    layout = readme.split("## Layout\n", 1)[1].split("\n## ", 1)[0]
    files = [
        path.relative_to(ROOT).as_posix()
        for folder in LAID_OUT
        for path in (ROOT / folder).rglob("*")
        if FILE_NAME.fullmatch(path.name) and "__pycache__" not in path.parts
    ]
    listed = [f for f in files if not any(part in f for part in NOT_LISTED_ONE_BY_ONE)]
    unlisted = [f for f in listed if Path(f).name not in layout]
    named = {name for name in FILE_NAME.findall(layout) if "*" not in name}
    gone = named - {Path(f).name for f in files} - {"pyproject.toml", "playwright.config.py"}
    tests = [f for f in files if Path(f).name.startswith("test_") and "selftest" not in f]
    unplaced = [f for f in tests if f"`{Path(f).name}`" not in layout and "/perf/" not in f]
    assert not unlisted, f"README's Layout does not name: {unlisted}"
    assert not gone, f"README's Layout names files that are not there: {sorted(gone)}"
    assert not unplaced, f"README's test-plan table does not place: {unplaced}"


WORKFLOW = ROOT / ".github" / "workflows" / "e2e.yml"
DURATIONS = ROOT / ".test_durations"


def test_the_shards_ci_splits_the_suite_into_are_balanced_by_durations_still_true() -> None:
    """The workflow runs the suite in SHARDS groups by the durations recorded in
    .test_durations (pytest-split): recorded for nearly every test, so that each group
    takes about as long as the others, and the slowest does not hold CI up."""
    workflow = yaml.safe_load(WORKFLOW.read_text())
    shards = int(workflow["env"]["SHARDS"])
    assert workflow["jobs"]["suite"]["strategy"]["matrix"]["shard"] == [*range(1, shards + 1)]
    tests = collected()
    durations = json.loads(DURATIONS.read_text())
    unknown = [test for test in tests if test not in durations]

    algorithm = Algorithms[workflow["env"]["SPLITTING"]].value
    groups = algorithm(shards, [SimpleNamespace(nodeid=test) for test in tests], durations)

    assert len(unknown) <= len(tests) / 10, f"Record the durations again (README): {unknown}"
    assert sorted(item.nodeid for group in groups for item in group.selected) == sorted(tests)
    longest, mean = max(g.duration for g in groups), sum(g.duration for g in groups) / shards
    assert longest <= 1.2 * mean, [round(g.duration) for g in groups]


def collected() -> list[str]:
    listed = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return [line for line in listed.stdout.splitlines() if "::" in line]
