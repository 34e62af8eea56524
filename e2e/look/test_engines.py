"""Where browser engines differ, each difference once, on every engine the suite runs on
(pytest --browser firefox): what Firefox does otherwise than Chromium, and that the app, or
the way the tests work the page, meets it."""

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from e2e.harness.content.chat_data import SAVE_REFUSED, chat_with_documents
from e2e.harness.content.file_factory import FileFactory
from e2e.harness.reports.browser_log import BrowserLog
from e2e.harness.server.faults import Faults
from pages import AppShell

ROOT = Path(__file__).resolve().parents[2]


def test_a_tab_follows_its_workspace_before_anything_in_it_changes(app) -> None:
    """Firefox announces an event stream open only with its first bytes: the server sends
    them at once (how soon to reconnect), not with the first change."""
    app.expect_live()


@pytest.mark.devices("keyboard")
def test_the_keyboard_works_the_window_in_front_with_its_focus_shown(chat, another_page) -> None:
    """A person types in the window they look at. With another window opened after this
    one, the keyboard brings this one to the front first: Firefox shows where the focus is
    in the window in front only (Chromium under Playwright, in every page)."""
    AppShell(another_page).open()
    chat.input_bar.choose_mode("Deep research")  # Shift+Tab to it, the focus shown at each stop
    chat.input_bar.expect_mode("Deep research")


def test_a_browser_this_playwright_cannot_drive_stops_the_run_naming_both(tmp_path: Path) -> None:
    """A Firefox Playwright cannot drive (a newer ESR, or a newer Playwright) stops the run
    before any test, saying which Playwright and which Firefox, not a suite of errors."""
    firefox = tmp_path / "firefox"
    firefox.write_text('#!/bin/sh\necho "Mozilla Firefox 999.0esr"\nexit 1\n')
    firefox.chmod(0o755)

    run = subprocess.run(
        [sys.executable, "-m", "pytest", "e2e/look/test_engines.py", "--browser", "firefox"],
        cwd=ROOT,
        env={**os.environ, "DOCCHAT_FIREFOX": str(firefox)},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.stdout + run.stderr
    assert (
        f"Playwright {version('playwright')} cannot drive Mozilla Firefox 999.0esr ({firefox}, "
        "channel moz-firefox). Pin the newest Playwright that drives it in pyproject.toml"
    ) in run.stdout + run.stderr
    assert " passed" not in run.stdout  # no test ran


@pytest.mark.sqlite
@pytest.mark.browser_errors(statuses=[507], reason="the database refuses every change")
def test_a_reload_shows_a_chats_documents_as_saved_not_as_the_boxes_were_left(
    app, files: FileFactory, faults: Faults
) -> None:
    """Firefox restores a box's state across a reload unless told not to: here the box the
    person unticked was refused, and the reload shows it ticked, as saved."""
    chat = chat_with_documents(app, files, **{"notes.txt": "Notes."})
    faults.database_read_only()
    chat.header.documents.toggle("notes.txt")
    chat.header.documents.expect_error(SAVE_REFUSED)
    faults.heal()

    chat.reload()
    chat.header.documents.expect_chosen("notes.txt")


def test_a_reload_shows_the_mode_the_chat_last_asked_in(chat) -> None:
    """The same for the mode: one chosen and not yet asked in is not kept by a reload."""
    chat.input_bar.choose_mode("Deep research")

    chat.reload()
    chat.input_bar.expect_mode("Chat")


def test_an_upload_is_processing_once_the_server_has_the_whole_file(
    app, files: FileFactory, faults: Faults
) -> None:
    """Firefox tells a page an upload is sent only once it is answered (when the file has
    been read): the row hears it from the server, which says the file is stored."""
    processing = faults.hold_processing()
    app.documents.upload(files.text("alpha.txt", "Alpha."))
    processing.expect_reached()

    app.documents.row("alpha.txt").expect_processing()
    processing.release()
    app.documents.row("alpha.txt").expect_ready("Text · 6 B")


@pytest.mark.parametrize(("declared", "unexpected"), [(429, 0), (404, 1)])
def test_firefoxs_word_for_a_refused_stream_is_read_as_its_status(
    declared: int, unexpected: int
) -> None:
    """Chromium logs the status a refused event stream got; Firefox raises an error naming
    only its URL. The harness reads it as the status that URL answered, so a test declares
    the same statuses on both, and one it did not declare still fails it."""
    url = "http://127.0.0.1:8000/api/workspace/events?after=0"
    log = BrowserLog()
    log.error_statuses[url] = 429
    said = f"Firefox can\u2019t establish a connection to the server at {url}."
    log.entries.append({"type": "error", "text": said})

    marker = pytest.mark.browser_errors(statuses=[declared], reason="refused").mark
    assert len(log.unexpected_errors(marker)) == unexpected
