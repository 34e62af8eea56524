"""Fixtures: the app in-process with OpenAI mocked, a fresh browser context per test."""

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
import pytest_httpx2  # noqa: F401  (registers respx's "httpcore2" mocker, used by openai 3.x)
import respx
from playwright.sync_api import (
    BrowserContext,
    Page,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from e2e.harness.checks.visual import UPDATE, Screenshots
from e2e.harness.clients.api import Api
from e2e.harness.clients.sse import StreamClient
from e2e.harness.config import cfg
from e2e.harness.content.file_factory import FileFactory
from e2e.harness.model.openai_mock import BASE_URL, OpenAIMock
from e2e.harness.model.openai_server import OpenAIServer
from e2e.harness.reports.js_coverage import measuring
from e2e.harness.server.app_process import AppProcess
from e2e.harness.server.balancer import Balancer
from e2e.harness.server.faults import Faults
from e2e.harness.server.live_server import LiveServer
from e2e.harness.server.stored import Store
from pages import AppShell, ChatPage
from web.settings import Settings

if TYPE_CHECKING:
    from e2e.harness.reports.reporting import Bundle  # a plugin: imported by pytest, not before it

pytest_plugins = [
    "e2e.harness.browsers",
    "e2e.harness.reports.reporting",
    "e2e.harness.reports.coverage_report",
]
# Tests that fail on purpose, for e2e/suite/test_reporting.py to run in a pytest of its own.
collect_ignore = [] if os.environ.get("DOCCHAT_SELFTEST") == "1" else ["selftest"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(UPDATE, action="store_true", help="rewrite e2e/look/baselines/ (visual tests)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "settings(**overrides): app settings for the live server")
    config.addinivalue_line(
        "markers",
        "browser_errors(*patterns, statuses=[...], reason=...): browser errors a test expects",
    )


class _TestSettings(Settings):
    """Settings from the test alone: a developer's DOCCHAT_* variables stay out."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


@pytest.fixture
def app_settings(
    request: pytest.FixtureRequest, tmp_path: Path, database_url: str | None
) -> Settings:
    """Per test: a fresh data dir and database, and the mocked OpenAI;
    `@pytest.mark.settings(...)` overrides."""
    marker = request.node.get_closest_marker("settings")
    overrides = marker.kwargs if marker else {}
    return _TestSettings(
        **{
            "data_dir": tmp_path / "data",
            "database_url": database_url,
            "secret_key": "e2e-secret",
            "openai_api_key": "sk-test",
            "openai_base_url": BASE_URL,
            # Retries stay on, with waits shortened so tests exercise them quickly.
            "openai_retry_base_s": 0.01,
            "openai_retry_max_wait_s": 0.1,
            **overrides,
        }
    )


@pytest.fixture
def openai_mock(failure_bundle: "Bundle") -> Iterator[OpenAIMock]:
    """The OpenAI API, scripted; after a passing test, all that was scripted was used."""
    with respx.mock(using="httpcore2", assert_all_called=False) as router:
        mock = OpenAIMock(router)
        yield mock
    assert not mock.unmocked, f"The app sent requests that nothing mocks: {mock.unmocked}"
    if failure_bundle.passed("call"):
        assert not mock.unused, f"Scripted for the model but never asked for: {mock.unused}"


@pytest.fixture
def live_server(
    app_settings: Settings, openai_mock: OpenAIMock, failure_bundle: "Bundle"
) -> Iterator[LiveServer]:
    """The app for this test only; stopped before the OpenAI mock goes away.

    After a passing test it must wind down: every answer job finished, every stream
    unsubscribed (the browser is closed by then). Anything left is a leak and fails it.
    """
    with _serving(app_settings, failure_bundle) as server:
        yield server


@contextlib.contextmanager
def _serving(settings: Settings, failure_bundle: "Bundle") -> Iterator[LiveServer]:
    """A live server, checked idle after a passing test, then stopped."""
    server = LiveServer(settings, *cfg.server_addresses())
    server.start()
    yield server
    try:
        if failure_bundle.passed("call"):
            server.expect_idle()
    finally:
        server.stop()


def data_dir_for(tmp_path: Path, database_url: str | None) -> Path | None:
    """The data dir of every app on this PostgreSQL database, as deployed: one folder (a
    shared volume) for the blobs and the cookie's key."""
    if database_url is None:
        return None
    return tmp_path / f"data-{urlsplit(database_url).path.strip('/')}"


@pytest.fixture
def app_on(
    app_settings: Settings, openai_mock: OpenAIMock, tmp_path: Path
) -> Iterator[Callable[[str | None], LiveServer]]:
    """Starts the app on a database of the test's choosing (a PostgreSQL URL, or None for
    SQLite), each with a data dir of its own but those on one PostgreSQL database; all
    are stopped when the test ends."""
    servers: list[LiveServer] = []

    def start(database_url: str | None) -> LiveServer:
        folder = data_dir_for(tmp_path, database_url) or tmp_path / f"app-{len(servers) + 1}"
        settings = app_settings.model_copy(
            update={"data_dir": folder, "database_url": database_url}
        )
        servers.append(LiveServer(settings, *cfg.server_addresses()))
        servers[-1].start()
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def openai_server(openai_mock: OpenAIMock) -> Iterator[OpenAIServer]:
    """The OpenAI mock over real HTTP, for an app in another process."""
    server = OpenAIServer(openai_mock)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app_process_on(
    request: pytest.FixtureRequest, openai_server: OpenAIServer, tmp_path: Path
) -> Iterator[Callable[..., AppProcess]]:
    """Starts the app in a process of its own (to be killed hard), reaching the mock over
    HTTP, with these settings more (say, a `database_url`), in a data dir of its own or
    `data_dir`; each is stopped at the end.

    `@pytest.mark.settings(...)` overrides their settings too.
    """
    marker = request.node.get_closest_marker("settings")
    overrides = {name: str(value) for name, value in (marker.kwargs if marker else {}).items()}
    processes: list[AppProcess] = []

    def start(data_dir: Path | None = None, **settings: str) -> AppProcess:
        folder = data_dir or data_dir_for(tmp_path, settings.get("database_url"))
        app = AppProcess(
            folder or tmp_path / f"process-data-{len(processes) + 1}",
            {
                "secret_key": "e2e-secret",
                "openai_api_key": "sk-test",
                "openai_base_url": openai_server.base_url,
                "openai_retry_base_s": "0.01",
                "openai_retry_max_wait_s": "0.1",
                **overrides,
                **settings,
            },
            measured=measuring(request.config),
        )
        processes.append(app)
        app.start()
        return app

    yield start
    for app in processes:
        app.stop()


@pytest.fixture
def app_process(app_process_on: Callable[..., AppProcess]) -> AppProcess:
    """The app in a process of its own, on SQLite in its data dir."""
    return app_process_on()


@pytest.fixture
def files(tmp_path: Path) -> FileFactory:
    return FileFactory(tmp_path / "files")


@pytest.fixture
def client(live_server: LiveServer) -> Iterator[StreamClient]:
    """A person without a browser, in a workspace of their own: the JSON API and event
    streams over HTTP, for API-only tests and what a browser can't send."""
    client = StreamClient(live_server.url)
    yield client
    client.close()


@pytest.fixture
def store(live_server: LiveServer) -> Store:
    """What the server has stored, read through the server itself."""
    return Store(live_server)


@pytest.fixture
def faults(live_server: LiveServer) -> Iterator[Faults]:
    """Fault injection; every fault is healed when the test ends, before the server stops."""
    faults = Faults(live_server)
    yield faults
    faults.heal()


@pytest.fixture
def screenshots(
    request: pytest.FixtureRequest, failure_bundle: "Bundle", browser_name: str, device_profile: str
) -> Screenshots:
    """Compares key states with their baselines (see e2e/harness/checks/visual.py)."""
    update = request.config.getoption(UPDATE)
    return Screenshots(failure_bundle, browser_name, device_profile, update)


@pytest.fixture
def api(page: Page) -> Api:
    """The JSON API in the browser context's workspace."""
    return Api(page.request)


@pytest.fixture
def app_url(
    pytestconfig: pytest.Config,
    app_settings: Settings,
    live_server: LiveServer,
    failure_bundle: "Bundle",
) -> Iterator[str]:
    """Where the browser finds the app: the live server, or with --processes 2 a
    balancer in front of it and a second app process on the same database and data dir,
    which gets every API call but the event streams (e2e/harness/server/balancer.py)."""
    if pytestconfig.getoption("processes") == 1:
        yield live_server.url
        return
    with _serving(app_settings, failure_bundle) as api:
        balancer = Balancer(pages=live_server.url, api=api.url)
        balancer.start()
        yield balancer.url
        balancer.stop()


@pytest.fixture
def app(page: Page) -> AppShell:
    """The app, open at its home in this test's browser (own profile, own workspace)."""
    return AppShell(page).open()


@pytest.fixture
def chat(app: AppShell) -> ChatPage:
    """A new chat, open."""
    return app.new_chat()


@pytest.fixture
def new_user(new_context: Callable[..., BrowserContext]) -> Callable[[], Page]:
    """Makes another person: a new browser profile (own cookie, own workspace), one page."""
    return lambda: new_context().new_page()


@pytest.fixture
def another_page(new_user: Callable[[], Page]) -> Page:
    return new_user()
