"""The house rules (docs/suite/writing-tests.md): no test file builds a locator (page
objects own the selectors), waits by the clock or takes subtests; the suite touches no
private name of the app, whose faults strike at named fault points; no test or
page-object file is too long to read whole; the import graph has no cycles, its arrows
pointing down the app's layers and from the tests to the harness (the contracts in
pyproject.toml); and the docs name every file and every setting there is."""

import ast
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from importlinter.cli import lint_imports
from pytest_split.algorithms import Algorithms

from e2e.harness.server.app_database import ACROSS_PROCESSES
from web.settings import Settings

E2E = Path(__file__).resolve().parents[1]
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
    """Each call in `source` that builds a locator or sleeps, and each test that takes
    `subtests`, with its line. (pytest's JUnit report counts each subtest as a test but
    writes no test case for it, so its counts stop matching the tests run: parametrize.)"""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and "subtests" in {a.arg for a in node.args.args}:
            found.append((node.lineno, f"{node.name}() takes subtests, not parameters"))
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", None))
            if name in LOCATING:
                found.append((node.lineno, f"{name}() builds a locator"))
            if name in SLEEPING:
                found.append((node.lineno, f"{name}() waits by the clock"))
    return [f"line {line}: {what}" for line, what in sorted(found)]


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda path: str(path.relative_to(E2E)))
def test_a_test_file_builds_no_locator_never_sleeps_and_takes_no_subtests(path: Path) -> None:
    broken = broken_rules(path.read_text())
    assert not broken, f"{path.relative_to(E2E)} breaks the house rules:\n  " + "\n  ".join(broken)


def test_the_check_catches_a_locator_a_sleep_and_subtests() -> None:
    broken = broken_rules(
        "import time\n"
        "def test_x(page):\n"
        "    page.get_by_role('button', name='Send').click()\n"
        "    time.sleep(1)\n"
        "    page.wait_for_timeout(500)\n"
        "def test_y(subtests):\n"
        "    pass\n"
    )
    assert broken == [
        "line 3: get_by_role() builds a locator",
        "line 4: sleep() waits by the clock",
        "line 5: wait_for_timeout() waits by the clock",
        "line 6: test_y() takes subtests, not parameters",
    ]


APP = "web"
SUITE_FILES = sorted([*E2E.rglob("*.py"), *(ROOT / "pages").rglob("*.py")])


def private(name: str) -> bool:
    return name.startswith("_") and not name.endswith("__")


def touched_privates_of_the_app(source: str) -> list[str]:
    """Each place in `source` that names a private (`_`-prefixed) name of the app's, to
    read or patch it: faults strike at the app's named fault points instead."""
    tree = ast.parse(source)
    from_app: set[str] = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            apps = [a for a in node.names if a.name.split(".")[0] == APP]
            from_app.update((a.asname or a.name).split(".")[0] for a in apps)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == APP:
            from_app.update(a.asname or a.name for a in node.names)
            found += [(node.lineno, a.name) for a in node.names if private(a.name)]
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and private(node.attr):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in from_app:
                found.append((node.lineno, node.attr))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "setattr":
            target, name, *_ = [*node.args, None, None]
            if not (isinstance(name, ast.Constant) and private(str(name.value))):
                continue
            if isinstance(target, ast.Name) and target.id in from_app:
                found.append((node.lineno, f"{target.id}.{name.value}"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            parts = node.value.split(".")
            if parts[0] == APP and len(parts) > 1 and any(map(private, parts)):
                found.append((node.lineno, node.value))
    return [f"line {line}: {name}" for line, name in sorted(found)]


def test_the_suite_touches_no_private_name_of_the_app() -> None:
    touched = {
        str(path.relative_to(ROOT)): found
        for path in SUITE_FILES
        if (found := touched_privates_of_the_app(path.read_text()))
    }
    assert touched == {}, "Strike at a fault point (web/fault_points.py) instead"
    assert len(SUITE_FILES) > 80  # the check saw the files


def test_the_check_catches_a_private_read_imported_or_patched_by_path() -> None:
    touched = touched_privates_of_the_app(
        "import fastapi.routing\n"
        "from web import isolation\n"
        "from web.limits import _replaying, PerWorkspace\n"
        "def test_x(monkeypatch):\n"
        "    isolation._CONTEXT.Process\n"
        "    monkeypatch.setattr('web.streams.hub._KEEP', 1)\n"
        "    monkeypatch.setattr(PerWorkspace, '_open', {})\n"
        "    fastapi.routing._PING_INTERVAL, PerWorkspace.__init__, isolation.run_isolated\n"
    )
    assert touched == [
        "line 3: _replaying",
        "line 5: _CONTEXT",
        "line 6: web.streams.hub._KEEP",
        "line 7: PerWorkspace._open",
    ]


def test_every_fault_point_is_marked_once_and_armed_by_the_suite() -> None:
    marked = Counter(
        str(call.args[0].value)
        for path in (ROOT / APP).rglob("*.py")
        for call in ast.walk(ast.parse(path.read_text()))
        if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "fault_point"
        if isinstance(call.args[0], ast.Constant)
    )
    armed = {
        node.value
        for node in ast.walk(ast.parse((E2E / "harness" / "server" / "faults.py").read_text()))
        if isinstance(node, ast.Constant) and node.value in marked
    }
    assert [name for name, times in marked.items() if times > 1] == []
    assert sorted(set(marked) - armed) == [], "marked, never armed: remove the mark"
    assert len(marked) >= 18  # the check found the marks


LONGEST = 400  # lines a reader can hold


def test_no_test_or_page_object_file_is_longer_than_a_reader_can_hold() -> None:
    files = [*TEST_FILES, *(ROOT / "pages").rglob("*.py")]
    lengths = {str(path.relative_to(ROOT)): len(path.read_text().splitlines()) for path in files}
    too_long = {path: lines for path, lines in lengths.items() if lines > LONGEST}
    assert too_long == {}, f"Split these by what their tests are about (at most {LONGEST})"
    assert len(lengths) > 50  # the check saw the files


def test_the_import_graph_has_no_cycles_and_points_down_the_layers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    broken = lint_imports(str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert broken == 0, capsys.readouterr().out


ARCHITECTURE = ROOT / "docs" / "architecture.md"
FILE_NAME = re.compile(r"[\w.*-]+\.(?:py|mjs|conf|sql|toml)\b")
LAID_OUT = ("web", "pages", "e2e", "scripts")
NOT_LISTED_ONE_BY_ONE = ("__init__.py", "test_", "e2e/selftest/")


def test_the_architecture_page_names_every_file_and_only_files_that_exist() -> None:
    layout = ARCHITECTURE.read_text()
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
    unplaced = [f for f in tests if f"{Path(f).name}`" not in layout and "/perf/" not in f]
    assert not unlisted, f"docs/architecture.md does not name: {unlisted}"
    assert not gone, f"docs/architecture.md names files that are not there: {sorted(gone)}"
    assert not unplaced, f"docs/architecture.md's test-plan table does not place: {unplaced}"


def test_the_configuration_page_names_every_setting() -> None:
    documented = (ROOT / "docs" / "configuration.md").read_text()
    names = [f"DOCCHAT_{name.upper()}" for name in Settings.model_fields]

    assert [name for name in names if f"`{name}`" not in documented] == []


WORKFLOW = ROOT / ".github" / "workflows" / "e2e.yml"
DURATIONS = ROOT / ".test_durations"


def test_the_files_run_across_two_processes_are_files_of_the_suite() -> None:
    """--processes 2 runs the files named in ACROSS_PROCESSES: a file renamed or split
    must not leave that lane quietly."""
    names = {path.name for path in TEST_FILES}
    assert sorted(ACROSS_PROCESSES - names) == []


def test_the_shards_ci_splits_the_suite_into_are_balanced_by_durations_still_true(
    tmp_path: Path,
) -> None:
    """The workflow runs the suite in SHARDS groups by the durations recorded in
    .test_durations (pytest-split): recorded for nearly every test, so that each group
    takes about as long as the others, and the slowest does not hold CI up."""
    workflow = yaml.safe_load(WORKFLOW.read_text())
    shards = int(workflow["env"]["SHARDS"])
    assert workflow["jobs"]["suite"]["strategy"]["matrix"]["shard"] == [*range(1, shards + 1)]
    tests = collected(tmp_path)
    durations = json.loads(DURATIONS.read_text())
    unknown = [test for test in tests if test not in durations]
    gone = [test for test in durations if test not in tests]

    algorithm = Algorithms[workflow["env"]["SPLITTING"]].value
    groups = algorithm(shards, [SimpleNamespace(nodeid=test) for test in tests], durations)

    assert len(unknown) <= len(tests) / 10, (
        f"Record the durations again (docs/suite/ci.md): {len(unknown)} of {len(tests)} tests have "
        f"none, such as {unknown[:3]}"
    )
    assert gone == [], f"Record the durations again with --clean-durations: {gone[:3]} are gone"
    assert sorted(item.nodeid for group in groups for item in group.selected) == sorted(tests)
    longest, mean = max(g.duration for g in groups), sum(g.duration for g in groups) / shards
    assert longest <= 1.2 * mean, [round(g.duration) for g in groups]


def collected(reports: Path) -> list[str]:
    """The suite's test ids, listed by pytest; its reports go to `reports`, not over the
    running suite's own in test-results/."""
    listed = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist"),
            *(f"--output={reports}", f"--junitxml={reports}/junit.xml"),
            f"--html={reports}/report.html",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return [line for line in listed.stdout.splitlines() if "::" in line]
