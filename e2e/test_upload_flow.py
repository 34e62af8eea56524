"""Upload flow, end to end: every type, bad files, several at once, duplicates."""

from e2e.helpers import FileFactory
from e2e.live_server import LiveServer
from pages import AppShell

SUPPORTED = "Upload PDF, Word (.docx), Markdown (.md) or plain text (.txt) files."


def test_documents_of_every_type_upload_at_once_and_survive_a_restart(
    page, live_server: LiveServer, files: FileFactory
) -> None:
    documents = [
        files.pdf("report.pdf", ["Quarterly revenue grew.", "Costs fell."]),
        files.docx("memo.docx", ["Meeting moved to Friday."]),
        files.markdown("guide.md"),
        files.text("notes.txt"),
        files.text("café-latin1.txt", "Crème brûlée recipe.", encoding="latin-1"),
    ]
    app = AppShell(page).open()
    app.documents.upload_and_wait(*documents)

    live_server.restart()
    app.reload()
    app.documents.expect_documents(*(d.name for d in documents))
    for document in documents:
        app.documents.row(document.name).expect_ready()


def test_bad_files_get_clear_errors_and_do_not_stop_the_good_one(page, files: FileFactory) -> None:
    good = files.text("good.txt", "Perfectly fine text.")
    bad = {
        files.disguised_executable("setup.txt"): (
            f"“setup.txt” is named .txt but its content is a Windows program. {SUPPORTED}"
        ),
        files.write("tool.exe", b"MZ"): f".exe files are not supported. {SUPPORTED}",
        files.empty("empty.md"): "“empty.md” is empty. Choose a file with some text in it.",
        files.text("fake.pdf", "Just text pretending."): (
            f"“fake.pdf” is named .pdf but its content is something else. {SUPPORTED}"
        ),
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
    }
    app = AppShell(page).open()
    app.documents.upload(*bad, good)

    app.documents.row("good.txt").expect_ready()
    for file, message in bad.items():
        app.documents.row(file.name).expect_failed(message)


def test_the_same_file_twice_names_the_existing_document(page, files: FileFactory) -> None:
    original = files.text("original.txt", "Unique content, uploaded once.")
    copy = files.write("copy.txt", original.read_bytes())
    app = AppShell(page).open()
    app.documents.upload_and_wait(original)

    app.documents.upload(copy)

    app.documents.row("copy.txt").expect_failed("“copy.txt” is already uploaded as “original.txt”.")
    app.reload()
    app.documents.expect_documents("original.txt")
