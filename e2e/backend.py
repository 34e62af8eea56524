"""The database the app under test keeps its rows in: `--backend sqlite` (the default: a
file in each test's data dir) or `--backend postgres` (a server this test process starts,
a fresh database per test). A plugin (pyproject's addopts: `-p e2e.backend`), so that
the option is known before the tests are collected."""

from collections.abc import Iterator

import pytest

from e2e.postgres import PostgresServer


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="the database the app keeps its rows in (postgres: a server the tests start)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite: a fault made through SQLite itself (its PRAGMAs, its lock)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, the tests of SQLite's own faults are left out (deselected)."""
    if config.getoption("backend") != "postgres":
        return
    left_out = [item for item in items if item.get_closest_marker("sqlite")]
    config.hook.pytest_deselected(items=left_out)
    items[:] = [item for item in items if not item.get_closest_marker("sqlite")]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for this test process, started when first asked for."""
    server = PostgresServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def database_url(pytestconfig: pytest.Config, request: pytest.FixtureRequest) -> str | None:
    """With --backend postgres, a fresh PostgreSQL database for this test; else None:
    SQLite in its data dir."""
    if pytestconfig.getoption("backend") != "postgres":
        return None
    return request.getfixturevalue("postgres_server").new_database()
