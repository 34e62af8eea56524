"""Uploads when something fails: the disk, the database, a delete mid-indexing, a
cancelled or cut-off upload, a restart mid-processing; and what is synced to disk."""

import pytest

from e2e.harness.clients.api import Api, Multipart, RawUpload
from e2e.harness.clients.sse import StreamClient
from e2e.harness.content.file_factory import ONE_MB, FileFactory
from e2e.harness.server.faults import Faults
from e2e.harness.server.live_server import LiveServer
from e2e.harness.server.stored import Store
from pages import AppShell

PROCESSING_FAILED = (
    "DocChat could not finish processing this file. Delete it and upload it again; if that "
    "fails too, the server's log says why."
)
READ_ONLY = (
    "The server could not save the file because its database is read-only. Nothing was "
    "saved. Try again later, or tell whoever runs this DocChat."
)
RESTARTED = (
    "Processing was interrupted by a server restart. Delete the document and upload it again."
)


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("disk_full", "the disk is full"),
        ("blob_writes_fail", "it is not allowed to write to its storage"),
    ],
)
@pytest.mark.browser_errors(statuses=[507], reason="the disk refuses the upload")
def test_a_storage_failure_answers_507_saves_nothing_and_the_next_try_works(
    app, files: FileFactory, faults: Faults, api: Api, store: Store, fault: str, reason: str
) -> None:
    report = files.pdf("report.pdf", ["Numbers.", "More numbers."])
    getattr(faults, fault)()

    app.documents.upload(report)

    app.documents.row("report.pdf").expect_failed(
        f"The server could not save the file because {reason}. Nothing was saved. "
        "Try again later, or tell whoever runs this DocChat."
    )
    refused = api.upload(report)
    assert (refused.status, refused.json()["error"]["message"]) == (
        507,
        f"The server could not save the file because {reason}. Nothing was saved. "
        "Try again later, or tell whoever runs this DocChat.",
    )
    assert (store.document_count(), store.blob_names(), store.temp_files()) == (0, [], [])

    faults.heal()
    app.documents.row("report.pdf").dismiss()
    app.documents.upload_and_wait(report)


@pytest.mark.sqlite
@pytest.mark.browser_errors(statuses=[507], reason="the database refuses every write")
def test_a_database_that_refuses_writes_answers_507_and_saves_nothing(
    app, files: FileFactory, faults: Faults, store: Store
) -> None:
    report = files.pdf("report.pdf", ["Numbers."])
    faults.database_read_only()

    app.documents.upload(report)

    app.documents.row("report.pdf").expect_failed(READ_ONLY)
    assert (store.document_count(), store.blob_names(), store.temp_files()) == (0, [], [])
    faults.heal()
    app.documents.row("report.pdf").dismiss()
    app.documents.upload_and_wait(report)


@pytest.mark.sqlite
def test_a_database_full_while_a_file_is_read_ends_it_failed_and_keeps_nothing_of_it(
    app, files: FileFactory, faults: Faults, api: Api, store: Store
) -> None:
    processing = faults.hold_processing()
    app.documents.upload(files.text("long.txt", "A sentence about the harbour. " * 2000))
    processing.expect_reached()
    faults.database_full()  # its 60,000 characters of passages need pages it cannot have

    processing.release()

    app.documents.row("long.txt").expect_failed(PROCESSING_FAILED)
    (document,) = api.documents()
    assert store.document(document["id"], document["sha256"]).chunks == []
    app.reload()
    app.documents.row("long.txt").expect_failed(PROCESSING_FAILED)


@pytest.mark.sqlite
@pytest.mark.browser_errors(statuses=[507], reason="the database refuses every write")
def test_a_database_that_refuses_every_write_mid_processing_says_what_is_left(
    app, live_server: LiveServer, files: FileFactory, faults: Faults
) -> None:
    processing = faults.hold_processing()
    app.documents.upload(files.text("notes.txt", "Read, but never recorded."))
    processing.expect_reached()
    faults.database_read_only()  # neither its passages nor its failure can be written

    processing.release()

    app.documents.row("notes.txt").expect_failed(
        "The server could not save the file's text because its database is read-only. The "
        "file is stored but not ready: once that is fixed, delete it and upload it again. "
        "Try again later, or tell whoever runs this DocChat."
    )
    faults.heal()
    live_server.restart()  # the next start marks it failed: never Processing forever
    app.reload()
    app.documents.row("notes.txt").expect_failed(RESTARTED)


@pytest.mark.sqlite
@pytest.mark.browser_errors(statuses=[507], reason="the database refuses the upload")
def test_a_refused_upload_of_bytes_another_workspace_has_keeps_their_file(
    page, another_page, files: FileFactory, faults: Faults, store: Store
) -> None:
    report = files.pdf("report.pdf", ["Shared numbers."])
    theirs = AppShell(another_page).open()
    theirs.documents.upload_and_wait(report)
    mine = AppShell(page).open()
    faults.database_read_only()

    mine.documents.upload(report)

    mine.documents.row("report.pdf").expect_failed(READ_ONLY)
    faults.heal()
    assert len(store.blob_names()) == 1  # theirs, still there
    theirs.reload()
    theirs.documents.row("report.pdf").expect_ready()
    mine.documents.row("report.pdf").dismiss()
    mine.documents.upload_and_wait(report)


@pytest.mark.browser_errors(statuses=[409], reason="the upload finds its document deleted")
def test_a_document_deleted_mid_indexing_leaves_no_chunks_index_entries_or_row(
    app, files: FileFactory, faults: Faults, api: Api, store: Store
) -> None:
    indexing = faults.hold_indexing(after_batches=1)  # some chunks are in, more to come
    app.documents.upload(files.large_text("large.txt", megabytes=1))
    indexing.expect_reached()
    (document,) = api.documents()
    assert store.index_hits("generated") > 0  # the first batch is searchable already
    app.expect_caught_up(store.last_live_event_id())  # it knows the row is its upload's
    late = faults.delay_live_events()
    app.go_out_of_sight()
    app.come_back()  # its stream opens anew: it hears of the delete only after the upload

    assert api.call("DELETE", f"/api/documents/{document['id']}").status == 204
    indexing.release()

    deleted = "“large.txt” was deleted while it was being processed."
    app.documents.row("large.txt").expect_failed(deleted)
    late.release()
    app.expect_caught_up(store.last_live_event_id())
    app.documents.row("large.txt").expect_failed(deleted)  # the upload's own word stays
    stored = store.document(document["id"], document["sha256"])
    assert (stored.row, stored.chunks, stored.blob) == (None, [], None)
    assert store.index_hits("generated") == 0


def test_cancelling_an_upload_leaves_nothing_behind(
    app, files: FileFactory, faults: Faults, store: Store
) -> None:
    body = faults.hold_uploads()
    app.documents.upload(files.large_text("large.txt", megabytes=16))
    body.expect_reached()
    app.documents.row("large.txt").expect_uploading()

    app.documents.row("large.txt").cancel_upload()

    app.documents.expect_documents()
    body.release()
    body.expect_finished()
    assert (store.document_count(), store.blob_names(), store.temp_files()) == (0, [], [])
    app.reload()
    app.documents.expect_documents()


def test_an_upload_cut_off_mid_file_leaves_nothing_behind(
    live_server: LiveServer, faults: Faults, store: Store
) -> None:
    done = faults.watch_uploads()
    temp_file = faults.watch_temp_files()
    multipart = Multipart("cut.txt")
    upload = RawUpload(
        live_server.port, multipart, {"Content-Length": str(multipart.length(ONE_MB))}
    )
    upload.send(multipart.head + b"a" * (ONE_MB // 2))
    temp_file.expect()  # the server is writing the file

    upload.close()

    done.expect_finished()
    assert (store.document_count(), store.blob_names(), store.temp_files()) == (0, [], [])


@pytest.mark.browser_errors(
    "status of 500",
    reason="stopping the server cancels the upload in flight, which uvicorn answers with 500",
)
@pytest.mark.one_process(reason="restarts the page's process; the other does the work")
def test_a_restart_during_processing_never_leaves_a_document_stuck(
    app, live_server: LiveServer, files: FileFactory, faults: Faults
) -> None:
    report = files.pdf("report.pdf", ["A page that never got read."])
    processing = faults.hold_processing()
    app.documents.upload(report)
    processing.expect_reached()
    app.documents.row("report.pdf").expect_processing()

    live_server.restart()

    app.documents.row("report.pdf").expect_failed(  # not "HTTP 500": what happened, in words
        "The upload was interrupted. Check your connection and try again."
    )
    app.reload()
    app.documents.row("report.pdf").expect_failed(RESTARTED)
    app.documents.row("report.pdf").delete().confirm("Delete")
    app.documents.expect_documents()
    faults.heal()
    app.documents.upload_and_wait(report)


def test_a_stored_blob_and_every_folder_leading_to_it_are_synced_to_disk(
    client: StreamClient, live_server: LiveServer, faults: Faults, files: FileFactory
) -> None:
    """A power loss right after an upload keeps the file and the folder it went into
    (a new folder's entry lives in its parent: that is synced too)."""
    synced = faults.watch_fsyncs()

    document = client.upload(files.text("first.txt", "The first file in its folder.")).json()

    root = live_server.settings.data_dir / "blobs"
    folder = root / document["sha256"][:2]
    assert (folder / document["sha256"]).is_file()
    assert any(path.suffix == ".part" for path in synced), synced  # the bytes, then
    assert {folder, root} <= set(synced), synced  # the folders they went into
