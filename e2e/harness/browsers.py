"""The browser under test, a pytest plugin (conftest's `pytest_plugins`): which browsers
run (`--browser`) and how each is launched (playwright.config.py), the pair check before
any test, the device profiles, and each test's fresh context with its timeouts, its
console kept for reports, its hands and, with --cov, its JavaScript measured."""

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import (
    BrowserContext,
    BrowserType,
    Playwright,
    expect,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError

from e2e.harness.checks.visual import FONTS_CONF
from e2e.harness.config import ROOT, cfg
from e2e.harness.reports.js_coverage import JS_COVERAGE_ARGS, JsCoverage, measuring
from pages import hands

if TYPE_CHECKING:
    from e2e.harness.reports.reporting import Bundle  # a plugin: imported by pytest, not before it


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"devices(*names): run on each of these profiles, of {list(cfg.DEVICES)}"
    )
    config.addinivalue_line(
        "markers",
        f"needs(capability): left out on a browser route without it, of {cfg.CAPABILITIES}",
    )
    expect.set_options(timeout=cfg.EXPECT_TIMEOUT)
    if measuring(config) and browsers(config) != ["chromium"]:
        raise pytest.UsageError(
            "--cov measures the JavaScript over the Chrome DevTools Protocol, which is "
            "Chromium's: measure coverage on Chromium (the default browser)."
        )


def browsers(config: pytest.Config) -> list[str]:
    return config.getoption("browser") or ["chromium"]


def pytest_sessionstart(session: pytest.Session) -> None:
    """Before any test (and any xdist worker), each browser is launched once: if this
    Playwright cannot drive it, the run stops here, naming both versions."""
    config = session.config
    if hasattr(config, "workerinput") or config.option.collectonly or cfg.remote_browser():
        return
    if all(_in_the_unit_layer(arg) for arg in config.args):
        return  # pytest e2e/unit: no browser, so the rules fail fast even where none is
    with sync_playwright() as playwright:
        for name in browsers(config):
            browser_type = getattr(playwright, name)
            try:
                how = cfg.launch_args(name, browser_type.executable_path)
                browser = browser_type.launch(**how)
                browser.new_context().close()
                browser.close()
            except cfg.BrowserNotFound as missing:
                pytest.exit(str(missing), returncode=pytest.ExitCode.USAGE_ERROR)
            except PlaywrightError as refused:
                problem = cfg.cannot_drive(name, how, str(refused))
                pytest.exit(problem, returncode=pytest.ExitCode.USAGE_ERROR)


def _in_the_unit_layer(arg: str) -> bool:
    return (ROOT / arg.split("::")[0]).resolve().is_relative_to(ROOT / "e2e" / "unit")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without Chromium (--browser firefox), the tests that open no browser are left out:
    they test the server alone, as the Chromium lane does."""
    if "chromium" in browsers(config):
        return
    browserless = [item for item in items if "browser_name" not in _fixtures(item)]
    if browserless:
        config.hook.pytest_deselected(items=browserless)
        items[:] = [item for item in items if "browser_name" in _fixtures(item)]


def _fixtures(item: pytest.Item) -> list[str]:
    return getattr(item, "fixturenames", [])  # a test function's; any other item has none


@pytest.fixture(scope="session")
def connect_options() -> dict | None:
    """A remote browser server, when DOCCHAT_BROWSER_WS names one (see playwright.config.py)."""
    return cfg.remote_browser()


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict,
    browser_type: BrowserType,
    browser_name: str,
    pytestconfig: pytest.Config,
) -> dict:
    how = cfg.launch_args(browser_name, browser_type.executable_path)  # found at the start
    # Only the fonts the set-up installed: screenshots render alike on every machine.
    env = {**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF)}
    args = {**browser_type_launch_args, **how, "env": env}
    if browser_name == "chromium":
        args["args"] = cfg.CHROMIUM_ARGS + (JS_COVERAGE_ARGS if measuring(pytestconfig) else [])
    else:
        args["firefox_user_prefs"] = cfg.FIREFOX_PREFS
    return args


@pytest.fixture(autouse=True)
def _left_out_where_the_browser_cannot(request: pytest.FixtureRequest) -> None:
    """A test that needs what this browser route lacks (playwright.config.py's `lacks`) is
    left out, saying why: it is marked `needs(capability)`, or runs on the phone profile."""
    needs = [marker.args[0] for marker in request.node.iter_markers("needs")]
    params = getattr(request.node, "callspec", None)
    if params and params.params.get("device_profile") == "phone":
        needs.append("phone")
    if not needs:
        return
    browser = request.getfixturevalue("browser_name")
    missing = cfg.lacks(browser, request.getfixturevalue("browser_type_launch_args"))
    for capability in needs:
        if capability in missing:
            pytest.skip(f"{browser} here lacks {capability}: {missing[capability]}")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("devices")
    if marker:
        metafunc.parametrize("device_profile", marker.args, indirect=True)


@pytest.fixture
def device_profile(request: pytest.FixtureRequest) -> str:
    """The device profile this test runs on (see playwright.config.py's DEVICES)."""
    return getattr(request, "param", "desktop")


@pytest.fixture
def browser_context_args(
    browser_context_args: dict,
    app_url: str,
    playwright: Playwright,
    device_profile: str,
) -> dict:
    descriptor = cfg.DEVICES[device_profile]
    shape = playwright.devices[descriptor] if descriptor else {"viewport": cfg.VIEWPORT}
    return {**browser_context_args, **shape, "base_url": app_url}


@pytest.fixture
def new_context(
    new_context,
    failure_bundle: "Bundle",
    js_coverage: JsCoverage | None,
    device_profile: str,
) -> Iterator[Callable[..., BrowserContext]]:
    """pytest-playwright's, with our timeouts, the browser's console kept for reports,
    the device's hands for page objects and, with --cov, the JavaScript it runs measured."""
    pointers = hands.PointerGuard() if device_profile == "keyboard" else None

    def make(**kwargs: object) -> BrowserContext:
        context = _with_timeouts(new_context(**kwargs))
        failure_bundle.browser.watch(context)
        if js_coverage:
            js_coverage.watch(context)
        if device_profile == "phone":
            hands.use(context, hands.Finger())
        if pointers:
            hands.use(context, hands.Keyboard())
            pointers.watch(context)
        return context

    yield make
    if pointers and failure_bundle.passed("call"):
        pointers.expect_unused()


@pytest.fixture
def context(new_context: Callable[..., BrowserContext]) -> BrowserContext:
    return new_context()


def _with_timeouts(context: BrowserContext) -> BrowserContext:
    context.set_default_timeout(cfg.ACTION_TIMEOUT)
    context.set_default_navigation_timeout(cfg.NAVIGATION_TIMEOUT)
    return context
