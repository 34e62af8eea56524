"""Upload flow, end to end: every type, bad files, limits, several at once, duplicates,
storage, metadata across restarts, failures and recovery, hostile names."""

import hashlib
import itertools
import re
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from e2e.api import Api, Multipart, RawUpload
from e2e.faults import Faults
from e2e.file_factory import FileFactory
from e2e.live_server import LiveServer
from e2e.store import Store
from pages import AppShell

SUPPORTED = "Upload PDF, Word (.docx), Markdown (.md) or plain text (.txt) files."
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
ONE_MB = 1024 * 1024


def sha256(file: Path) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()


# --- the complete workflow and metadata ------------------------------------------------


def test_documents_of_every_type_upload_at_once_and_keep_their_metadata_across_a_restart(
    app, live_server: LiveServer, files: FileFactory, api: Api, store: Store
) -> None:
    pdf = files.pdf("report.pdf", ["Quarterly revenue grew.", "Costs fell."])
    word = files.docx("memo.docx", ["Meeting moved to Friday."])
    markdown = files.markdown("guide.md")
    text = files.text("notes.txt")
    latin1 = files.text("café-latin1.txt", "Crème brûlée recipe.", encoding="latin-1")
    kb = r"\d+\.\d KB"
    summaries = {
        pdf: re.compile(f"^PDF · 2 pages · {kb}$"),
        word: re.compile(f"^Word · {kb}$"),
        markdown: f"Markdown · {markdown.stat().st_size} B",
        text: f"Text · {text.stat().st_size} B",
        latin1: f"Text · {latin1.stat().st_size} B",
    }

    app.documents.upload(*summaries)

    for file, summary in summaries.items():
        app.documents.row(file.name).expect_ready(summary)
    documents = {d["filename"]: d for d in api.documents()}
    for file in summaries:
        document = documents[file.name]
        assert document["size"] == file.stat().st_size
        assert document["sha256"] == sha256(file)
        assert document["status"] == "ready"
        assert document["error"] is None
        assert document["chunks"] >= 1
        assert datetime.fromisoformat(document["created_at"]).tzinfo is not None
    assert documents["report.pdf"]["pages"] == 2
    assert documents["report.pdf"]["content_type"] == "application/pdf"
    assert documents["memo.docx"]["content_type"].endswith("wordprocessingml.document")
    assert documents["guide.md"]["content_type"] == "text/markdown"
    assert documents["notes.txt"]["content_type"] == "text/plain"
    latin1_doc = documents["café-latin1.txt"]
    assert store.document(latin1_doc["id"], latin1_doc["sha256"]).text == "Crème brûlée recipe."

    live_server.restart()
    app.reload()

    assert {d["filename"]: d for d in api.documents()} == documents
    app.documents.expect_documents(*documents)
    for file, summary in summaries.items():
        app.documents.row(file.name).expect_ready(summary)


def test_an_upload_shows_its_progress_then_processing_then_ready(
    app, files: FileFactory, faults: Faults
) -> None:
    body = faults.hold_uploads()
    processing = faults.hold_processing()

    app.documents.upload(files.large_pdf("large.pdf", megabytes=16))

    row = app.documents.row("large.pdf")
    body.expect_reached()
    row.expect_uploading()
    body.release()
    processing.expect_reached()
    row.expect_processing()
    processing.release()
    row.expect_ready(re.compile(r"^PDF · 1 page · 16\.0 MB$"))


def test_files_dropped_on_the_page_upload_like_chosen_ones(app, files: FileFactory) -> None:
    dragged = app.documents.drag_over(files.pdf("dropped.pdf"), files.markdown("dropped.md"))
    app.documents.expect_drop_overlay()
    dragged.drop()

    app.documents.expect_drop_overlay(visible=False)
    app.documents.row("dropped.pdf").expect_ready()
    app.documents.row("dropped.md").expect_ready()


def test_dragging_files_away_or_dropping_text_uploads_nothing(
    app, files: FileFactory, api: Api
) -> None:
    dragged = app.documents.drag_over(files.pdf("second-thoughts.pdf"))
    app.documents.expect_drop_overlay()
    dragged.leave()
    app.documents.expect_drop_overlay(visible=False)
    app.documents.drag_and_drop_text("Some selected words")

    app.documents.expect_drop_overlay(visible=False)
    app.documents.expect_documents()
    assert api.documents() == []


@pytest.mark.settings(chunk_chars=120, chunk_overlap_chars=40)
def test_a_long_document_is_read_as_overlapping_passages_that_each_keep_whole_words(
    app, files: FileFactory, api: Api, store: Store
) -> None:
    words = [
        "alder",
        "birch",
        "cedar",
        "damson",
        "elder",
        "fir",
        "ginkgo",
        "hazel",
        "juniper",
        "larch",
        "maple",
        "oak",
    ]
    text = " ".join(f"The {word} grows by the harbour of Onhava." for word in words)

    app.documents.upload_and_wait(files.text("trees.txt", text))

    document = api.document_named("trees.txt")
    chunks = store.document(document["id"], document["sha256"]).chunks
    assert document["chunks"] == len(chunks) > 4
    assert all(len(chunk) <= 120 for chunk in chunks)
    assert all(set(chunk.split()) <= set(text.split()) for chunk in chunks)  # no cut words
    for before, after in itertools.pairwise(chunks):  # each repeats the end of the last
        assert after.split()[0] in before.split()[-8:]
    assert all(any(word in chunk for chunk in chunks) for word in words)


# --- validation ------------------------------------------------------------------------


@pytest.mark.browser_errors(statuses=[415, 422], reason="bad files are refused")
def test_bad_files_get_clear_errors_and_do_not_stop_the_good_one(
    app, files: FileFactory, store: Store
) -> None:
    good = files.text("good.txt", "Perfectly fine text.")
    refused = {
        files.disguised_executable("setup.txt"): (
            f"“setup.txt” is named .txt but its content is a Windows program. {SUPPORTED}"
        ),
        files.write("tool.exe", b"MZ"): f".exe files are not supported. {SUPPORTED}",
        files.empty("empty.md"): "“empty.md” is empty. Choose a file with some text in it.",
        files.text("fake.pdf", "Just text pretending."): (
            f"“fake.pdf” is named .pdf but its content is something else. {SUPPORTED}"
        ),
        files.text("memo.docx", "Just text pretending."): (
            f"“memo.docx” is named .docx but its content is something else. {SUPPORTED}"
        ),
        files.write("data.txt", b"Header\x00\x01\x02"): (
            f"“data.txt” is named .txt but its content is binary data. {SUPPORTED}"
        ),
        files.write("README", b"Plain text."): (
            f"Files without an extension are not supported. {SUPPORTED}"
        ),
    }
    unreadable = {
        files.encrypted_pdf("secret.pdf"): (
            "This PDF is password-protected. Remove the password and upload it again."
        ),
        files.truncated_pdf("broken.pdf"): (
            "This PDF is damaged or incomplete, so DocChat cannot read it. "
            "Try saving or exporting it again."
        ),
        files.pdf_without_text("scan.pdf"): (
            "No text found in this PDF — is it a scanned image? "
            "DocChat needs a PDF with selectable text."
        ),
        files.truncated_docx("broken.docx"): (
            "This Word document is damaged, so DocChat cannot read it. Try saving it again."
        ),
        files.docx("blank.docx", paragraphs=[""]): "No text found in this document.",
    }

    app.documents.upload(*refused, *unreadable, good)

    app.documents.row("good.txt").expect_ready()
    for file, message in {**refused, **unreadable}.items():
        app.documents.row(file.name).expect_failed(message)
    # Refused files leave nothing; unreadable ones stay listed, failed, saying why.
    assert store.document_count() == 1 + len(unreadable)
    app.reload()
    app.documents.expect_documents("good.txt", *(f.name for f in unreadable))
    for file, message in unreadable.items():
        app.documents.row(file.name).expect_failed(message)


@pytest.mark.settings(max_upload_mb=1)
def test_a_file_over_the_size_limit_is_refused_and_the_others_go_on(
    app, files: FileFactory, store: Store
) -> None:
    app.documents.upload(files.large_text("big.txt", megabytes=1.5), files.text("small.txt"))

    app.documents.row("big.txt").expect_failed("This file is larger than the 1 MB limit.")
    app.documents.row("small.txt").expect_ready()
    assert store.document_count() == 1


@pytest.mark.settings(max_upload_mb=1)
def test_a_body_declared_too_large_is_refused_before_it_is_sent(
    live_server: LiveServer, store: Store
) -> None:
    upload = RawUpload(live_server.port, Multipart("huge.txt"), {"Content-Length": str(10 << 30)})

    status, body = upload.response()  # not one byte of the body has been sent

    assert status == 413
    assert body["error"]["message"] == "This file is larger than the 1 MB limit."
    assert store.document_count() == 0
    assert store.temp_files() == []


@pytest.mark.settings(max_upload_mb=1)
def test_a_body_with_no_length_is_cut_off_once_it_passes_the_limit(
    live_server: LiveServer, store: Store
) -> None:
    multipart = Multipart("endless.txt")
    offered = 256 * ONE_MB
    upload = RawUpload(live_server.port, multipart, {"Transfer-Encoding": "chunked"})

    sent = upload.send_chunked(
        iter([multipart.head, *(b"a" * 65536 for _ in range(offered // 65536)), multipart.tail])
    )
    status, body = upload.response()

    assert status == 413
    assert body["error"]["message"] == "This file is larger than the 1 MB limit."
    assert sent < offered // 4, f"The server read {sent} bytes of an oversize upload"
    assert store.document_count() == 0
    assert store.temp_files() == []


# --- several files, duplicates, workspaces ---------------------------------------------


@pytest.mark.browser_errors(statuses=[409], reason="the second copy is a duplicate")
def test_the_same_file_twice_names_the_existing_document_and_is_stored_once(
    app, files: FileFactory, api: Api, store: Store
) -> None:
    original = files.text("original.txt", "Unique content, uploaded once.")
    copy = files.write("copy.txt", original.read_bytes())
    app.documents.upload_and_wait(original)

    app.documents.upload(copy)

    app.documents.row("copy.txt").expect_failed("“copy.txt” is already uploaded as “original.txt”.")
    response = api.upload(copy)
    assert response.status == 409
    assert response.json()["error"]["document"] == api.document_named("original.txt")
    assert store.document_count() == 1
    assert store.blob_names() == [sha256(original)]
    app.reload()
    app.documents.expect_documents("original.txt")


def test_the_same_bytes_in_another_workspace_are_that_workspaces_own_document(
    page, another_page, files: FileFactory, store: Store
) -> None:
    shared = files.text("shared.txt", "Shared by two teams.")
    mine, theirs = AppShell(page).open(), AppShell(another_page).open()
    mine.documents.upload_and_wait(shared)

    theirs.documents.upload_and_wait(shared)

    my_doc = Api(page.request).document_named("shared.txt")
    their_doc = Api(another_page.request).document_named("shared.txt")
    assert my_doc["id"] != their_doc["id"]
    assert store.blob_names() == [sha256(shared)]  # the bytes are kept once
    mine.documents.row("shared.txt").delete().confirm("Delete")
    mine.documents.expect_documents()
    assert store.blob_names() == [sha256(shared)]  # still theirs
    theirs.reload()
    theirs.documents.row("shared.txt").expect_ready()
    theirs.documents.row("shared.txt").delete().confirm("Delete")
    theirs.documents.expect_documents()
    assert store.blob_names() == []


# --- storage ---------------------------------------------------------------------------


def test_deleting_asks_first_then_removes_the_file_its_text_and_its_index_entries(
    app, files: FileFactory, api: Api, store: Store
) -> None:
    report = files.text("report.txt", "The zanzibarquokka population doubled last year.")
    app.documents.upload_and_wait(report)
    document = api.document_named("report.txt")
    stored = store.document(document["id"], document["sha256"])
    assert stored.blob == report.read_bytes()
    assert stored.blob_sha256 == document["sha256"] == sha256(report)
    assert stored.row["size"] == len(stored.blob)
    assert "zanzibarquokka" in stored.text
    assert store.index_hits("zanzibarquokka") == 1
    assert store.temp_files() == []

    dialog = app.documents.row("report.txt").delete()
    dialog.expect_question(
        "Delete “report.txt”?",
        "Its file and text are removed from DocChat, and chats can no longer use it.",
    )
    dialog.cancel()
    app.documents.row("report.txt").expect_ready()
    assert store.document(document["id"], document["sha256"]).blob is not None

    app.documents.row("report.txt").delete().confirm("Delete")

    app.documents.expect_documents()
    gone = store.document(document["id"], document["sha256"])
    assert (gone.row, gone.chunks, gone.blob) == (None, [], None)
    assert store.index_hits("zanzibarquokka") == 0
    app.reload()
    app.documents.expect_documents()


@pytest.mark.sqlite
@pytest.mark.browser_errors(statuses=[404, 507], reason="one is gone already, one undeletable")
def test_a_document_deleted_elsewhere_just_leaves_and_one_that_cannot_be_deleted_stays(
    page, files: FileFactory, api: Api, faults: Faults, store: Store
) -> None:
    late = faults.delay_live_events()  # the page has not heard of the delete yet
    app = AppShell(page).open()
    app.documents.upload_and_wait(files.text("gone.txt", "Gone."), files.text("kept.txt", "Kept."))
    assert api.call("DELETE", f"/api/documents/{api.document_named('gone.txt')['id']}").ok

    app.documents.row("gone.txt").delete().confirm("Delete")  # from a page that still shows it
    app.documents.expect_documents("kept.txt")
    late.release()
    app.expect_caught_up(store.last_live_event_id())
    faults.database_read_only()
    app.documents.row("kept.txt").delete().confirm("Delete")

    app.documents.row("kept.txt").expect_still_there(
        "The server could not save your change because its database is read-only. Nothing "
        "was saved. Try again later, or tell whoever runs this DocChat."
    )
    faults.heal()
    app.reload()
    app.documents.expect_documents("kept.txt")


# --- error recovery --------------------------------------------------------------------


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
    assert api.upload(report).status == 507
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


def test_requests_that_carry_no_usable_file_are_refused_saying_why(
    live_server: LiveServer, store: Store
) -> None:
    url = f"{live_server.url}/api/documents"
    ends_early = Multipart("notes.txt")
    nameless = Multipart("\u202e\u2066")  # right-to-left controls only: nothing to show
    refused = {
        "not a form": httpx.post(url, json={"file": "notes.txt"}),
        "no part named file": httpx.post(url, files={"attachment": ("notes.txt", b"Notes.")}),
        "no closing boundary": httpx.post(  # complete as sent, but the form never ends
            url,
            content=ends_early.head + b"Notes.",
            headers={"Content-Type": ends_early.content_type},
        ),
        "no usable name, no bytes": httpx.post(
            url,
            content=nameless.head + nameless.tail,
            headers={"Content-Type": nameless.content_type},
        ),
    }

    assert {why: (r.status_code, r.json()["error"]["message"]) for why, r in refused.items()} == {
        "not a form": (422, "Send the file as multipart/form-data."),
        "no part named file": (422, "Choose a file to upload (form field 'file')."),
        "no closing boundary": (400, "The upload ended before the whole file arrived."),
        "no usable name, no bytes": (
            422,
            "“untitled” is empty. Choose a file with some text in it.",
        ),
    }
    assert (store.document_count(), store.blob_names(), store.temp_files()) == (0, [], [])


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


# --- hostile names ---------------------------------------------------------------------


def test_hostile_file_names_are_stored_safely_and_shown_as_plain_text(
    app, files: FileFactory, api: Api, store: Store
) -> None:
    shown_as = {
        "../../../etc/passwd.txt": "passwd.txt",
        "..\\..\\Windows\\win.ini.txt": "win.ini.txt",
        "<img src=x onerror=alert(1)>.md": "<img src=x onerror=alert(1)>.md",
        "<svg onload=alert(2)>.txt": "<svg onload=alert(2)>.txt",
        "<b>bold</b>.txt": "b>.txt",  # a slash is a path separator, whatever surrounds it
        "n" * 300 + ".txt": "n" * 251 + ".txt",
        "Cafe\u0301 — 履歴書 📄.txt": "Café — 履歴書 📄.txt",  # decomposed é in, composed out
        "invoice\u202etxt.exe.md": "invoicetxt.exe.md",  # no right-to-left override
        # Browsers send " CR LF as %22 %0D %0A (HTML's multipart/form-data encoding).
        'say "hi" now.txt': 'say "hi" now.txt',
        "two\r\nlines.txt": "twolines.txt",
        "100%22 sure.txt": '100" sure.txt',  # the encoding is lossy: as browsers read it
    }

    app.documents.upload(
        *(files.payload(name, f"Document {i}.") for i, name in enumerate(shown_as))
    )

    for name in shown_as.values():
        app.documents.row(name).expect_ready()
    documents = api.documents()
    assert sorted(d["filename"] for d in documents) == sorted(shown_as.values())
    assert store.blob_names() == sorted(d["sha256"] for d in documents)  # names never hit disk
    app.reload()
    for name in shown_as.values():
        app.documents.row(name).expect_ready()


def test_a_stored_blob_and_every_folder_leading_to_it_are_synced_to_disk(
    api: Api, live_server: LiveServer, faults: Faults, files: FileFactory
) -> None:
    """A power loss right after an upload keeps the file and the folder it went into
    (a new folder's entry lives in its parent: that is synced too)."""
    synced = faults.watch_fsyncs()

    document = api.upload(files.text("first.txt", "The first file in its folder.")).json()

    root = live_server.settings.data_dir / "blobs"
    folder = root / document["sha256"][:2]
    assert (folder / document["sha256"]).is_file()
    assert any(path.suffix == ".part" for path in synced), synced  # the bytes, then
    assert {folder, root} <= set(synced), synced  # the folders they went into
