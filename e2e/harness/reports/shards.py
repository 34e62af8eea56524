"""One report from the suite split across CI runners by recorded durations (pytest-split,
.github/workflows/e2e.yml): the shards' JUnit results in one file, and their Python and
JavaScript coverage combined and held to floors, as `./scripts/test --cov` holds one run.

    python -m e2e.harness.reports.shards --cov-fail-under 100 --js-cov-fail-under 95 \
        [--lane DIR] SHARD_RESULTS...

Each SHARD_RESULTS is one shard's test-results/ folder (`--cov` measured); each --lane
another lane's (Firefox's), whose tests join the results but not the coverage. Writes
test-results/junit.xml, test-results/coverage/ (both HTML reports) and the summary,
test-results/shards.md; exits 1 if a test failed in any shard or coverage is below a floor.
"""

import argparse
import shutil
import sys
from pathlib import Path

import coverage
from junitparser import JUnitXml

from e2e.harness.reports.coverage_report import JS_RAW, REPORT, ROOT, summarize


def merge_results(shards: list[Path]) -> JUnitXml:
    """Every shard's tests in one JUnit file, test-results/junit.xml."""
    merged = JUnitXml()
    for shard in shards:
        merged += JUnitXml.fromfile(str(shard / "junit.xml"))
    merged.write(str(ROOT / "test-results" / "junit.xml"))
    return merged


def merge_coverage(shards: list[Path]) -> None:
    """Python's data files combined, JavaScript's raw files side by side."""
    python = coverage.Coverage()  # settings (and the data file) from pyproject.toml
    python.combine([str(shard / "coverage" / ".coverage") for shard in shards], keep=True)
    python.save()
    JS_RAW.mkdir(parents=True, exist_ok=True)
    for shard in shards:
        for raw in (shard / "coverage" / "js-raw").glob("*.json"):
            shutil.copy(raw, JS_RAW)  # each named by a uuid: none collide


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cov-fail-under", type=float, required=True)
    parser.add_argument("--js-cov-fail-under", type=float, required=True)
    parser.add_argument("--lane", action="append", type=Path, default=[])
    parser.add_argument("shards", nargs="+", type=Path)
    args = parser.parse_args(argv)
    REPORT.mkdir(parents=True, exist_ok=True)
    results = merge_results(args.shards + args.lane)
    merge_coverage(args.shards)
    summary = summarize(js_floor=args.js_cov_fail_under, python_floor=args.cov_fail_under)
    unsuccessful = results.failures + results.errors
    counts = f"{results.tests} tests, {unsuccessful} failed or errored, {results.skipped} skipped"
    lanes = "".join(f" and the {lane.name} lane" for lane in args.lane)
    report = f"{len(args.shards)} shards{lanes}: {counts}.\n\n{summary.markdown}\n"
    (ROOT / "test-results" / "shards.md").write_text(report)
    print(report)
    if summary.failed_floor:
        print(summary.failed_floor, file=sys.stderr)
    return 1 if unsuccessful or summary.failed_floor else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
