"""Benchmarks: `pytest -m perf` (left out of the functional run). They run serially."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from e2e.perf.report import PerfReport

REPORT_DIR = Path("test-results/perf")


@pytest.fixture(scope="session")
def perf() -> Iterator[PerfReport]:
    report = PerfReport()
    yield report
    report.write(REPORT_DIR)
