"""The database the app under test keeps its rows in: `--backend sqlite` (the default: a
file in each test's data dir) or `--backend postgres` (a server this test process starts,
a fresh database per test); and with `--processes 2` (PostgreSQL only), two app
processes on it, every page's API calls crossing to the second (conftest's
`api_process`). A plugin (pyproject's addopts: `-p e2e.harness.server.app_database`),
so that the options are known before the tests are collected."""

from collections.abc import Iterator

import pytest

from e2e.harness.server.postgres import PostgresServer

# What --processes 2 runs: what people do in pages (upload, chat, stream, several tabs),
# each thing done by one process and followed through the other. The rest test one
# process's own ways (its faults, restarts, limits, pages' looks).
ACROSS_PROCESSES = {
    "test_upload_flow.py",
    "test_upload_validation.py",
    "test_upload_recovery.py",
    "test_chat_flow.py",
    "test_streaming.py",
    "test_live_tabs.py",
    "test_live_workspace_stream.py",
    "test_sessions.py",
    "test_messages.py",
    "test_answer_endings.py",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="the database the app keeps its rows in (postgres: a server the tests start)",
    )
    parser.addoption(
        "--processes",
        type=int,
        choices=[1, 2],
        default=1,
        help="2: pages and their event streams on one app process, their API calls on "
        "another on the same database (with --backend postgres)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite: a fault made through SQLite itself (its PRAGMAs, its lock)"
    )
    config.addinivalue_line(
        "markers",
        "one_process(reason): restarts, faults or reads the one app process; left out "
        "with --processes 2",
    )
    if config.getoption("processes") == 2 and config.getoption("backend") != "postgres":
        raise pytest.UsageError("--processes 2 needs --backend postgres: SQLite is one process's")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, the tests of SQLite's own faults are left out (deselected); with two
    processes, all but ACROSS_PROCESSES' and those marked one_process."""
    markers = {"postgres": ["sqlite"]}.get(config.getoption("backend"), [])
    files = {item.path.name for item in items}
    if config.getoption("processes") == 2:
        markers.append("one_process")
        files &= ACROSS_PROCESSES
    left_out = [
        item
        for item in items
        if any(map(item.get_closest_marker, markers)) or item.path.name not in files
    ]
    config.hook.pytest_deselected(items=left_out)
    items[:] = [item for item in items if item not in left_out]


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
