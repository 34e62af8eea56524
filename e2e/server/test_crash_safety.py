"""Crash safety: the app as a process of its own, killed with SIGKILL mid-write.

No shutdown code runs. On restart nothing is half there (no partial document, no
answer stuck streaming) and nothing already saved is missing.
"""

import hashlib
from collections.abc import Callable

import httpx
import pytest

from e2e.harness.clients.api import Multipart, RawUpload
from e2e.harness.content.file_factory import FileFactory
from e2e.harness.model.openai_mock import OpenAIMock
from e2e.harness.server.app_process import AppProcess

INTERRUPTED = "The answer was interrupted because the server stopped."
TOKENS = ["**Once**", " upon", " a", " time."]
MB = 1024 * 1024


@pytest.fixture
def browser_context_args(browser_context_args: dict, app_process: AppProcess) -> dict:
    """The browser talks to the app process (not the in-process server)."""
    return {**browser_context_args, "base_url": app_process.url}


@pytest.mark.browser_errors(
    "ERR_INCOMPLETE_CHUNKED_ENCODING|ERR_CONNECTION_REFUSED",
    reason="the kill cuts the page's answer stream, which reconnects while the app is down",
)
def test_a_kill_mid_answer_leaves_it_interrupted_and_everything_before_it_intact(
    app, app_process: AppProcess, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    app.documents.upload_and_wait(files.text("harbour.txt", "The harbour opens at dawn."))
    chat = app.new_chat()
    chat.send("When does the harbour open?").expect_complete(
        "According to [1]: The harbour opens at dawn."
    )
    openai_mock.reply(TOKENS, gate_after=2)
    answer = chat.send("Tell me a story")
    answer.expect_streaming("**Once** upon")

    app_process.restart_after_crash()

    answer.expect_failed(INTERRUPTED, status="interrupted")  # the page reconnects by itself
    answer.expect_text("Once upon")
    answer.expect_bold("Once")  # ended by the next start, laid out as it is first read
    chat.reload()
    chat.messages.expect_conversation(
        ("When does the harbour open?", "According to [1]: The harbour opens at dawn."),
        ("Tell me a story", "Once upon"),
    )
    chat.messages.last_answer.expect_failed(INTERRUPTED, status="interrupted")
    chat.messages.last_answer.expect_bold("Once")
    chat.documents.expect_documents("harbour.txt")
    chat.documents.row("harbour.txt").expect_ready()
    openai_mock.reply(TOKENS)
    chat.messages.last_answer.retry()
    chat.messages.last_answer.expect_complete("Once upon a time.")


@pytest.mark.browser_errors(
    "ERR_INCOMPLETE_CHUNKED_ENCODING|ERR_CONNECTION_REFUSED",
    reason="the kill cuts the page's live stream, which reconnects while the app is down",
)
def test_a_kill_mid_upload_leaves_no_half_document_and_keeps_the_saved_ones(
    app, context, app_process: AppProcess, files: FileFactory
) -> None:
    app.documents.upload_and_wait(files.text("kept.txt", "Saved before the crash."))
    (cookie,) = context.cookies()
    multipart = Multipart("big.txt")
    upload = RawUpload(
        app_process.port,
        multipart,
        {
            "Content-Length": str(multipart.length(40 * MB)),
            "Cookie": f"{cookie['name']}={cookie['value']}",
        },
    )
    # Half the file: far more than socket buffers hold, so the app is writing it to disk.
    upload.send(multipart.head + b"a" * (20 * MB))
    assert app_process.blobs.temp_files(), "The app was not writing the upload when killed"
    kept = app_process.blobs.names()

    app_process.kill()
    upload.close()
    # As if killed just after storing a blob and before writing its row (too brief a
    # moment to aim a kill at): a blob no document refers to.
    orphan = app_process.blobs.path_for(hashlib.sha256(b"orphan").hexdigest())
    orphan.parent.mkdir(exist_ok=True)
    orphan.write_bytes(b"orphan")
    app_process.start()

    assert (app_process.blobs.temp_files(), app_process.blobs.names()) == ([], kept)
    app.reload()
    app.documents.expect_documents("kept.txt")
    app.documents.row("kept.txt").expect_ready()


@pytest.mark.settings(secret_key="")
@pytest.mark.browser_errors(
    "ERR_INCOMPLETE_CHUNKED_ENCODING|ERR_CONNECTION_REFUSED",
    reason="the kill cuts the page's live stream, which reconnects while the app is down",
)
def test_without_a_configured_key_the_app_makes_one_keeps_it_private_and_workspaces_survive(
    app, app_process: AppProcess, files: FileFactory
) -> None:
    """The key signs every workspace cookie: a new key would leave everyone in an empty
    workspace after a restart. Made once, readable by the app's user only."""
    app.documents.upload_and_wait(files.text("kept.txt", "Still mine after the restart."))
    chat = app.new_chat()
    chat.header.rename("Before the restart")
    chat.expect_title("Before the restart")
    key = app_process.data_dir / "secret_key"
    assert oct(key.stat().st_mode & 0o777) == oct(0o600)
    made = key.read_text()

    app_process.restart_after_crash()

    assert key.read_text() == made
    app.reload()
    app.sidebar.expect_chats("Before the restart")
    app.documents.expect_documents("kept.txt")


def test_a_second_app_on_the_same_data_folder_is_refused_until_the_first_is_gone(
    app_process: AppProcess, app_process_on: Callable[..., AppProcess]
) -> None:
    """A SQLite data folder is one process's: two would share its rows but not their live
    events, and open tabs would go stale. The OS lets go of the hold however its process
    ends."""
    held = f"DocChat's data folder {app_process.data_dir} is in use by process {app_process.pid}"
    with pytest.raises(AssertionError, match=f"exited at start, saying:\n(.*\n)*{held}"):
        app_process_on(data_dir=app_process.data_dir)

    app_process.kill()  # a crash: no shutdown code runs, nothing lets go but the OS
    after = app_process_on(data_dir=app_process.data_dir)

    assert httpx.get(f"{after.url}/healthz").json() == {"status": "ok"}
