"""What an upload may not be: bad and oversize files, bodies too large declared or
streamed, requests with no usable file, hostile file names."""

import httpx
import pytest

from e2e.harness.clients.api import Api, Multipart, RawUpload
from e2e.harness.clients.sse import StreamClient
from e2e.harness.content.file_factory import ONE_MB, FileFactory
from e2e.harness.server.live_server import LiveServer
from e2e.harness.server.stored import Store

TOO_LARGE = "This file is larger than the 1 MB limit."
SUPPORTED = "Upload PDF, Word (.docx), Markdown (.md) or plain text (.txt) files."


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
def test_a_file_of_exactly_the_size_limit_is_taken_and_one_byte_more_refused(
    app, client: StreamClient, files: FileFactory, store: Store
) -> None:
    at_the_limit = files.large_text("1-mb.txt", megabytes=1)
    past_it = files.large_text("1-mb-and-a-byte.txt", megabytes=(ONE_MB + 1) / ONE_MB)
    assert (at_the_limit.stat().st_size, past_it.stat().st_size) == (ONE_MB, ONE_MB + 1)

    app.documents.upload(past_it, at_the_limit)

    app.documents.row("1-mb-and-a-byte.txt").expect_failed(TOO_LARGE)  # before it is sent
    app.documents.row("1-mb.txt").expect_ready()
    refused = client.upload(past_it)  # and by the server, to a client that sends it anyway
    assert (refused.status_code, refused.json()["error"]["message"]) == (413, TOO_LARGE)
    assert client.upload(at_the_limit).status_code == 201
    assert store.document_count() == 2  # the browser's and the client's, each 1 MB
    assert store.temp_files() == []


@pytest.mark.settings(max_upload_mb=1)
def test_a_body_declared_too_large_is_refused_before_it_is_sent(
    live_server: LiveServer, store: Store
) -> None:
    upload = RawUpload(live_server.port, Multipart("huge.txt"), {"Content-Length": str(10 << 30)})

    status, body = upload.response()  # not one byte of the body has been sent

    assert status == 413
    assert body["error"]["message"] == TOO_LARGE
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
    assert body["error"]["message"] == TOO_LARGE
    assert sent < offered // 4, f"The server read {sent} bytes of an oversize upload"
    assert store.document_count() == 0
    assert store.temp_files() == []


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
