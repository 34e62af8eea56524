"""Upload flow, end to end: every type at once, progress, drag and drop, passages,
duplicates and workspaces, deleting, metadata across restarts."""

import hashlib
import itertools
import re
from datetime import datetime
from pathlib import Path

import pytest

from e2e.harness.clients.api import Api
from e2e.harness.content.file_factory import FileFactory
from e2e.harness.server.faults import Faults
from e2e.harness.server.live_server import LiveServer
from e2e.harness.server.stored import Store
from pages import AppShell


def sha256(file: Path) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()


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


def test_deleting_asks_first_then_removes_the_file_its_text_and_its_index_entries(
    app, files: FileFactory, api: Api, store: Store
) -> None:
    report = files.text("report.txt", "The zanzibarquokka population doubled last year.")
    app.documents.upload_and_wait(report)
    document = api.document_named("report.txt")
    stored = store.document(document["id"], document["sha256"])
    assert stored.blob == report.read_bytes()
    assert stored.blob_sha256 == document["sha256"] == sha256(report)
    assert stored.row is not None and stored.row["size"] == len(stored.blob)
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
