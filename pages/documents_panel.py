"""The documents panel in the sidebar: upload, and one row per document."""

import base64
import re
from pathlib import Path

from playwright.sync_api import FilePayload, JSHandle, Locator, expect

from pages.base import Component
from pages.confirm_dialog import ConfirmDialog

# A <progress> value strictly between 0 and 1: some bytes sent, not all.
PARTIAL = re.compile(r"^0\.\d*[1-9]\d*$")

File = Path | FilePayload


class DocumentRow(Component):
    @property
    def name(self) -> Locator:
        return self.root.get_by_test_id("document-name")

    @property
    def status(self) -> Locator:
        return self.root.get_by_test_id("document-status")

    @property
    def summary(self) -> Locator:
        return self.root.get_by_test_id("document-meta")

    @property
    def error(self) -> Locator:
        return self.root.get_by_test_id("document-error")

    @property
    def progress(self) -> Locator:
        return self.root.get_by_role("progressbar", name="Upload progress")

    def expect_uploading(self) -> None:
        """Part of the file is sent, not all of it, and the upload can be cancelled."""
        expect(self.status).to_have_text("Uploading…")
        expect(self.progress).to_have_attribute("value", PARTIAL)
        expect(self.root.get_by_role("button", name=re.compile("^Cancel upload"))).to_be_visible()

    def expect_processing(self) -> None:
        """Every byte is sent; the server is reading the document."""
        expect(self.status).to_have_text("Processing…")
        expect(self.progress).to_have_attribute("value", "1")

    def expect_processing_elsewhere(self) -> None:
        """Being read by the server, uploaded from another tab or device: no progress here."""
        expect(self.status).to_have_text("Processing…")
        expect(self.progress).to_be_hidden()
        expect(self.error).to_be_hidden()

    def expect_ready(
        self, summary: str | re.Pattern[str] | None = None, *, timeout_s: float | None = None
    ) -> None:
        """Ready (for a very large file, a benchmark may allow longer than usual)."""
        timeout = timeout_s * 1000 if timeout_s else None
        expect(self.status).to_have_text("Ready", timeout=timeout)
        expect(self.error).to_be_hidden()
        expect(self.progress).to_be_hidden()
        if summary is not None:
            expect(self.summary).to_have_text(summary)

    def expect_failed(self, message: str, *, timeout_s: float | None = None) -> None:
        """Failed, saying why (a file read until its time limit may take longer than usual)."""
        expect(self.status).to_have_text("Failed", timeout=timeout_s * 1000 if timeout_s else None)
        expect(self.error).to_have_text(message)
        expect(self.progress).to_be_hidden()

    def expect_still_there(self, problem: str) -> None:
        """Ready as before, saying why what was asked of it did not happen."""
        expect(self.status).to_have_text("Ready")
        expect(self.error).to_have_text(problem)

    def cancel_upload(self) -> None:
        self.press(self.root.get_by_role("button", name=re.compile("^Cancel upload")))

    def dismiss(self) -> None:
        """Clear a failed upload's row (nothing of it was stored)."""
        self.press(self.root.get_by_role("button", name=re.compile("^Dismiss")))
        expect(self.root).to_have_count(0)

    def delete(self) -> ConfirmDialog:
        """Ask to delete; returns the confirmation dialog that asks back."""
        self.press(self.root.get_by_role("button", name=re.compile("^Delete")))
        return ConfirmDialog(self.page)


class DraggedFiles:
    """Files dragged over the page, not yet dropped."""

    def __init__(self, target: Locator, transfer: JSHandle) -> None:
        self.target = target
        self.transfer = transfer

    def drop(self) -> None:
        self.target.dispatch_event("dragover", {"dataTransfer": self.transfer})
        self.target.dispatch_event("drop", {"dataTransfer": self.transfer})

    def leave(self) -> None:
        """Drag them off the page again."""
        self.target.dispatch_event("dragleave", {"dataTransfer": self.transfer})


class DocumentsPanel(Component):
    @property
    def rows(self) -> Locator:
        return self.root.get_by_test_id("document-row")

    @property
    def drop_overlay(self) -> Locator:
        return self.page.get_by_test_id("drop-overlay")

    def upload(self, *files: File) -> None:
        """Choose files in the file picker (a payload can carry any name, even a hostile one)."""
        self.choose_files(self.root.get_by_label("Upload documents"), files)

    def drag_over(self, *files: Path) -> DraggedFiles:
        """Drag files from the desktop over the panel, as a person would before dropping."""
        transfer = self.page.evaluate_handle(
            """files => {
                const transfer = new DataTransfer();
                for (const f of files) {
                    const bytes = Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0));
                    transfer.items.add(new File([bytes], f.name));
                }
                return transfer;
            }""",
            [{"name": f.name, "data": base64.b64encode(f.read_bytes()).decode()} for f in files],
        )
        # As a browser fires them: into the page, into the panel, out of the page's body.
        body = self.page.locator("body")
        body.dispatch_event("dragenter", {"dataTransfer": transfer})
        self.root.dispatch_event("dragenter", {"dataTransfer": transfer})
        body.dispatch_event("dragleave", {"dataTransfer": transfer})
        return DraggedFiles(self.root, transfer)

    def drag_and_drop_text(self, text: str) -> None:
        """Drag selected text (no files) over the panel, off it and back, and drop it."""
        transfer = self.page.evaluate_handle(
            "text => { const t = new DataTransfer(); t.setData('text/plain', text); return t; }",
            text,
        )
        for event in ("dragenter", "dragover", "dragleave", "dragenter", "dragover", "drop"):
            self.root.dispatch_event(event, {"dataTransfer": transfer})

    def row(self, filename: str) -> DocumentRow:
        name = self.page.get_by_test_id("document-name").get_by_text(filename, exact=True)
        return DocumentRow(self.rows.filter(has=name), self.reveal)

    def refused_upload(self, filename: str) -> DocumentRow:
        """This tab's upload of a file that the server refused (it can be dismissed)."""
        return DocumentRow(self.row(filename).root.filter(has=self._dismiss), self.reveal)

    def stored(self, filename: str) -> DocumentRow:
        """The stored document of this name (beside, perhaps, a refused upload of it)."""
        return DocumentRow(self.row(filename).root.filter(has_not=self._dismiss), self.reveal)

    @property
    def _dismiss(self) -> Locator:
        return self.page.get_by_role("button", name=re.compile("^Dismiss"))

    def upload_and_wait(self, *files: Path) -> None:
        """Upload and wait until every file is ready."""
        self.upload(*files)
        for file in files:
            self.row(file.name).expect_ready()

    def expect_documents(self, *filenames: str) -> None:
        """Exactly these documents, in any order (uploads finish in any order)."""
        expect(self.rows).to_have_count(len(filenames))
        for filename in filenames:
            expect(self.row(filename).root).to_be_visible()

    def expect_drop_overlay(self, visible: bool = True) -> None:
        expect(self.drop_overlay).to_be_visible(visible=visible)
