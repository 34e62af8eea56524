"""Test data factories: real files, generated at test time."""

import io
import os
from pathlib import Path

import docx
import pypdf
from fpdf import FPDF
from playwright.sync_api import FilePayload

# A Windows executable's first bytes: what a disguised program looks like.
EXECUTABLE_HEAD = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48)


class FileFactory:
    """Writes files into a per-test folder and returns their paths."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def text(
        self, name: str = "notes.txt", content: str | None = None, encoding: str = "utf-8"
    ) -> Path:
        content = content if content is not None else "Plain notes.\nNothing to see here.\n"
        return self.write(name, content.encode(encoding))

    def markdown(
        self, name: str = "notes.md", title: str = "Notes", sections: dict[str, str] | None = None
    ) -> Path:
        sections = sections or {"Summary": "A short document about nothing in particular."}
        body = "\n\n".join(f"## {heading}\n\n{text}" for heading, text in sections.items())
        return self.write(name, f"# {title}\n\n{body}\n".encode())

    def pdf(self, name: str = "report.pdf", pages: list[str] | None = None) -> Path:
        """A real PDF with one page of selectable text per entry."""
        return self.write(name, _pdf_bytes(pages or ["Page one of a report."]))

    def large_pdf(self, name: str = "large.pdf", megabytes: float = 16) -> Path:
        """A big file that is quick to read: one page of text and a random attachment."""
        reader = pypdf.PdfReader(io.BytesIO(_pdf_bytes(["A large report, mostly appendix."])))
        writer = pypdf.PdfWriter(clone_from=reader)
        writer.add_attachment("appendix.bin", os.urandom(int(megabytes * 1024 * 1024)))
        return self.write(name, _written(writer))

    def pdf_without_text(self, name: str = "scan.pdf") -> Path:
        """What a scanned document looks like to a text extractor: pages, no text."""
        writer = pypdf.PdfWriter()
        writer.add_blank_page(width=595, height=842)
        return self.write(name, _written(writer))

    def encrypted_pdf(self, name: str = "secret.pdf", password: str = "hunter2") -> Path:
        reader = pypdf.PdfReader(io.BytesIO(_pdf_bytes(["Classified."])))
        writer = pypdf.PdfWriter(clone_from=reader)
        writer.encrypt(user_password=password, algorithm="AES-256")
        return self.write(name, _written(writer))

    def truncated_pdf(self, name: str = "broken.pdf") -> Path:
        data = _pdf_bytes(["This file was cut off in transit."])
        return self.write(name, data[: len(data) // 3])

    def docx(self, name: str = "memo.docx", paragraphs: list[str] | None = None) -> Path:
        document = docx.Document()
        for paragraph in paragraphs or ["A short memo."]:
            document.add_paragraph(paragraph)
        buffer = io.BytesIO()
        document.save(buffer)
        return self.write(name, buffer.getvalue())

    def truncated_docx(self, name: str = "broken.docx") -> Path:
        data = self.docx(name, ["This memo was cut off in transit."]).read_bytes()
        return self.write(name, data[: len(data) // 2])

    def disguised_executable(self, name: str = "totally-harmless.txt") -> Path:
        return self.write(name, EXECUTABLE_HEAD)

    def empty(self, name: str = "empty.txt") -> Path:
        return self.write(name, b"")

    def large_text(self, name: str = "large.txt", megabytes: float = 24) -> Path:
        """Plain text of this size: numbered lines, so every chunk differs."""
        size = int(megabytes * 1024 * 1024)
        line = "Line {:>10} of a large generated file, for upload tests.\n"
        lines = (line.format(n) for n in range(size // len(line.format(0)) + 1))
        return self.write(name, "".join(lines).encode()[:size])

    @staticmethod
    def payload(name: str, content: str = "Some text.") -> FilePayload:
        """A file as the browser will name it, for names no file system would take."""
        return {"name": name, "mimeType": "application/octet-stream", "buffer": content.encode()}

    def write(self, name: str, data: bytes) -> Path:
        path = self.folder / name
        path.write_bytes(data)
        return path


def _pdf_bytes(pages: list[str]) -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def _written(writer: pypdf.PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
