"""What the browser said during a test: console messages, uncaught page errors, dialogs.

An uncaught exception, a console error or a dialog (alert, confirm, prompt — the classic
sign of injected script) fails the test, unless the test expects it. That includes the
console error Chromium logs for every HTTP error status a page receives (and the error
Firefox raises for an event stream refused), so a test that
meets a 409 on purpose says so, and an unexpected 404 fails the test that caused it:
`@pytest.mark.browser_errors(r"pattern", statuses=[409, 507], reason="why")`.
"""

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Dialog, Response, WebError

FAILED_LOAD = "Failed to load resource: the server responded with a status of"
# All Firefox says of an event stream refused with an error status (an uncaught error, no
# status): the status is the one its page received from that URL.
FIREFOX_STREAM_REFUSED = re.compile(
    r"^Firefox can\u2019t establish a connection to the server at (?P<url>\S+)\.$"
)

# The style Playwright adds to a page it takes a screenshot of, refused by the app's CSP on
# Firefox over BiDi (Chromium lets Playwright's own through): known by its hash, it is
# none of the app's doing. An inline style of the app's has another hash, and fails.
PLAYWRIGHT_SCREENSHOT_STYLE = "'sha256-YjaKGiklmzC6wjXA513HAMmzus8VE61XCOT+SmwNZWA='"


@dataclass
class BrowserLog:
    entries: list[dict[str, Any]] = field(default_factory=list)
    error_statuses: dict[str, int] = field(default_factory=dict)  # by URL, the latest

    def watch(self, context: BrowserContext) -> None:
        context.on("response", self._response)
        context.on("console", self._console)
        context.on("weberror", self._page_error)
        context.on("dialog", self._dialog)

    def _dialog(self, dialog: Dialog) -> None:
        self.entries.append(
            {
                "kind": "dialog",
                "type": "error",
                "text": f"{dialog.type}: {dialog.message}",
                "page": dialog.page.url if dialog.page else None,
            }
        )
        dialog.dismiss()

    def _console(self, message: ConsoleMessage) -> None:
        location = message.location
        self.entries.append(
            {
                "kind": "console",
                "type": message.type,
                "text": message.text,
                "where": f"{location.get('url', '')}:{location.get('lineNumber', 0)}",
                "page": message.page.url if message.page else None,
            }
        )

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.error_statuses[response.url] = response.status

    def _page_error(self, error: WebError) -> None:
        self.entries.append(
            {
                "kind": "pageerror",
                "type": "error",
                "text": error.error.message,
                "stack": error.error.stack,
                "page": error.page.url if error.page else None,
            }
        )

    def unexpected_errors(self, marker: pytest.Mark | None) -> list[dict[str, Any]]:
        allowed = _allowed(marker)
        return [
            entry
            for entry in self.entries
            if entry["type"] == "error"
            and PLAYWRIGHT_SCREENSHOT_STYLE not in entry["text"]
            and not (allowed and allowed.search(self._said(entry)))
        ]

    def _said(self, entry: dict[str, Any]) -> str:
        """The entry's text, a Firefox stream refused as Chromium says it (with its status)."""
        refused = FIREFOX_STREAM_REFUSED.match(entry["text"])
        status = refused and self.error_statuses.get(refused["url"])
        return f"{FAILED_LOAD} {status} ({entry['text']})" if status else entry["text"]


def _allowed(marker: pytest.Mark | None) -> re.Pattern[str] | None:
    """A test's expected errors: its patterns, and a failed load for each of its statuses."""
    if marker is None:
        return None
    patterns = list(marker.args)
    if statuses := marker.kwargs.get("statuses"):
        codes = "|".join(str(status) for status in statuses)
        patterns.append(rf"^{FAILED_LOAD} ({codes}) ")
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns))


def check(item: pytest.Item, log: BrowserLog) -> None:
    """Fail the test for browser errors it did not declare."""
    marker = item.get_closest_marker("browser_errors")
    if marker is not None and not marker.kwargs.get("reason"):
        pytest.fail("@pytest.mark.browser_errors needs a reason=", pytrace=False)
    if errors := log.unexpected_errors(marker):
        listed = "\n".join(f"  [{e['kind']}] {e['text']} ({e.get('page')})" for e in errors)
        pytest.fail(f"The browser reported errors:\n{listed}", pytrace=False)
