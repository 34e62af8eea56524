"""The documents panel in the sidebar: upload, and one row per document."""

from pathlib import Path

from playwright.sync_api import Locator, expect

from pages.base import Component


class DocumentRow(Component):
    @property
    def name(self) -> Locator:
        return self.root.get_by_test_id("document-name")

    @property
    def status(self) -> Locator:
        return self.root.get_by_test_id("document-status")

    @property
    def error(self) -> Locator:
        return self.root.get_by_test_id("document-error")

    def expect_ready(self) -> None:
        expect(self.status).to_have_text("Ready")
        expect(self.error).to_be_hidden()

    def expect_failed(self, message: str) -> None:
        expect(self.status).to_have_text("Failed")
        expect(self.error).to_have_text(message)


class DocumentsPanel(Component):
    @property
    def rows(self) -> Locator:
        return self.root.get_by_test_id("document-row")

    def upload(self, *files: Path) -> None:
        self.root.get_by_label("Upload documents").set_input_files(list(files))

    def row(self, filename: str) -> DocumentRow:
        name = self.page.get_by_test_id("document-name").get_by_text(filename, exact=True)
        return DocumentRow(self.rows.filter(has=name))

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
