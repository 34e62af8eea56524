"""The unit layer's mutation score: how many of mutmut's one-line slips in the logic it
reaches ([tool.mutmut] in pyproject.toml) some unit test notices.

Run after `mutmut run` (scripts/mutation does both). Writes test-results/mutation/report.md
and fails (exit 1) if the score is under FLOOR or if a mutant survives that
e2e/unit/equivalent_mutants.toml does not explain. A mutant explained there is equivalent:
it changes no behaviour, so it is left out of the score; one explained there that a test
now notices is named (the code moved on: look again), and counted as noticed.
"""

import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
EXPLAINED = ROOT / "e2e" / "unit" / "equivalent_mutants.toml"
REPORT = ROOT / "test-results" / "mutation" / "report.md"
FLOOR = 0.90
# A mutant some test failed on (killed), or that ran on for ever (timeout): noticed.
NOTICED = {"killed", "timeout"}
NOT_RUN = "not checked"  # left out of a run asked for some mutants only


def statuses() -> dict[str, str]:
    """Each mutant's status, from `mutmut results --all true` (`name: status` lines)."""
    listed = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pairs = (line.strip().rsplit(": ", 1) for line in listed.splitlines() if ": " in line)
    return {name: status for name, status in pairs if status != NOT_RUN}


def explanations() -> dict[str, str]:
    """Why each equivalent mutant changes nothing, by mutant."""
    groups = tomllib.loads(EXPLAINED.read_text())["equivalent"]
    return {mutant: group["why"] for group in groups for mutant in group["mutants"]}


def report(run: dict[str, str], why: dict[str, str]) -> tuple[str, bool]:
    """The report, and whether it passes."""
    survivors = sorted(name for name, status in run.items() if status not in NOTICED)
    equivalent = [name for name in survivors if name in why]
    unexplained = [name for name in survivors if name not in why]
    stale = sorted(name for name in why if run.get(name) in NOTICED)
    counted = len(run) - len(equivalent)
    score = sum(status in NOTICED for status in run.values()) / counted if counted else 1.0
    passed = score >= FLOOR and not unexplained
    counts = ", ".join(f"{n} {status}" for status, n in Counter(run.values()).most_common())
    lines = [
        "# Mutation score of the unit layer",
        "",
        f"**{score:.1%}** of {counted} mutants noticed (floor {FLOOR:.0%}): {counts}; "
        f"{len(equivalent)} of the survivors are equivalent and not counted.",
        "",
        *_section(
            "Survivors no test notices and nothing explains: kill or explain each", unexplained, run
        ),
        *_section(
            f"Explained as equivalent, yet now noticed: remove from {EXPLAINED.relative_to(ROOT)}",
            stale,
            run,
        ),
        *_section("Equivalent survivors, by why", _by_why(equivalent, why), {}),
        f"Result: {'passed' if passed else 'FAILED'}.",
    ]
    return "\n".join(lines) + "\n", passed


def _section(title: str, names: list[str], run: dict[str, str]) -> list[str]:
    if not names:
        return []
    return [
        f"## {title}",
        "",
        *(f"- {n}" + (f" ({run[n]})" if n in run else "") for n in names),
        "",
    ]


def _by_why(names: list[str], why: dict[str, str]) -> list[str]:
    reasons: dict[str, list[str]] = {why[name]: [] for name in names}
    for name in names:
        reasons[why[name]].append(name)
    return [" ".join(reason.split()) + f" {', '.join(of)}" for reason, of in reasons.items()]


def main() -> int:
    text, passed = report(statuses(), explanations())
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text)
    print(text, end="")
    print(f"(also in {REPORT.relative_to(ROOT)}; `mutmut show NAME` shows a mutant's change)")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
