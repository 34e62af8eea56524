"""Benchmarks: `pytest -m perf` (left out of the functional run). They run serially."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from e2e.harness.server.app_process import AppProcess
from e2e.harness.server.postgres import PostgresServer
from e2e.perf.report import PerfReport

REPORT_DIR = Path("test-results/perf")


@pytest.fixture(scope="session")
def perf() -> Iterator[PerfReport]:
    report = PerfReport()
    yield report
    report.write(REPORT_DIR)


def _server(module: str, data_dir: Path, settings: dict[str, str]) -> Iterator[AppProcess]:
    server = AppProcess(data_dir, settings, measured=False, module=module)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def model(tmp_path: Path) -> Iterator[AppProcess]:
    """The model's stand-in (e2e/perf/model_server.py), a server process of its own."""
    yield from _server("e2e.perf.model_server", tmp_path / "model", {})


def _model_settings(model: AppProcess) -> dict[str, str]:
    return {"openai_api_key": "sk-perf", "openai_base_url": f"{model.url}/v1"}


@pytest.fixture
def docchat(model: AppProcess, tmp_path: Path) -> Iterator[AppProcess]:
    """DocChat as users run it, `python -m web`, asking the stand-in."""
    yield from _server("web", tmp_path / "docchat", _model_settings(model))


@pytest.fixture
def docchat_on_postgresql(
    model: AppProcess, tmp_path: Path, postgres_server: PostgresServer
) -> Iterator[AppProcess]:
    """DocChat as two processes on one port (DOCCHAT_WORKERS=2) and one PostgreSQL
    database, the test's server (fsync off, as for every test: see the report's note)."""
    database = postgres_server.new_database()
    settings = {**_model_settings(model), "database_url": database, "workers": "2"}
    for server in _server("web", tmp_path / "docchat-postgresql", settings):
        server.expect_ready(processes=2)
        yield server


@pytest.fixture
def bare(model: AppProcess, tmp_path: Path) -> Iterator[AppProcess]:
    """The floor (e2e/perf/bare_sse.py): streaming the same model's answers, storing nothing."""
    yield from _server("e2e.perf.bare_sse", tmp_path / "bare", _model_settings(model))
