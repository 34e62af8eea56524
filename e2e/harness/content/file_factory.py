"""Test data factories: real files, generated at test time."""

import io
import os
import zipfile
from pathlib import Path

import docx
import pypdf
from fpdf import FPDF
from playwright.sync_api import FilePayload

ONE_MB = 1024 * 1024
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

    def docx(
        self,
        name: str = "memo.docx",
        paragraphs: list[str] | None = None,
        table: list[list[str]] | None = None,
    ) -> Path:
        """A real Word document: paragraphs, then a table (rows of cells) if given."""
        document = docx.Document()
        for paragraph in paragraphs or ["A short memo."]:
            document.add_paragraph(paragraph)
        if table:
            grid = document.add_table(rows=len(table), cols=len(table[0]))
            for cells, row in zip(grid.rows, table, strict=True):
                for cell, text in zip(cells.cells, row, strict=True):
                    cell.text = text
        buffer = io.BytesIO()
        document.save(buffer)
        return self.write(name, buffer.getvalue())

    def truncated_docx(self, name: str = "broken.docx") -> Path:
        data = self.docx(name, ["This memo was cut off in transit."]).read_bytes()
        return self.write(name, data[: len(data) // 2])

    def pdf_with_unknown_encryption(self, name: str = "vault.pdf") -> Path:
        """Encrypted by a security handler pypdf does not implement."""
        data = self.encrypted_pdf(name).read_bytes()
        assert b"/Filter /Standard" in data
        return self.write(name, data.replace(b"/Filter /Standard", b"/Filter /Vaulted_"))

    def docx_with_broken_xml(self, name: str = "mangled.docx") -> Path:
        """A sound ZIP whose main part is not well-formed XML."""
        return self._docx_with_part(name, b"<w:document><w:body><w:p>unclosed")

    def docx_bomb(self, name: str = "bomb.docx", unpacked_mb: int = 64) -> Path:
        """A small file whose main part unzips to `unpacked_mb` of XML."""
        path = self._docx_with_part(name, None)
        with (
            zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive,
            archive.open("word/document.xml", "w") as part,
        ):
            part.write(b'<?xml version="1.0"?>')
            for _ in range(unpacked_mb):
                part.write(b" " * ONE_MB)
        return path

    def docx_of_paragraphs(self, name: str, paragraphs: int) -> Path:
        """A Word document of that many short paragraphs, "Harbour 0." to "Harbour n.",
        written as XML at once (many times faster than through python-docx)."""
        namespace = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"
        body = b"".join(
            b"<w:p><w:r><w:t>Harbour %d.</w:t></w:r></w:p>" % n for n in range(paragraphs)
        )
        return self._docx_with_part(
            name,
            b'<w:document xmlns:w="' + namespace + b'"><w:body>' + body + b"</w:body></w:document>",
        )

    def docx_unpacking_to(self, name: str, size: int) -> Path:
        """A real Word document whose parts unzip to exactly `size` bytes: its main part
        padded with blanks after the document, which XML allows."""
        path = self.docx(name)
        with zipfile.ZipFile(path) as archive:
            main = archive.read("word/document.xml")
            others = sum(p.file_size for p in archive.infolist()) - len(main)
        return self._docx_with_part(name, main + b" " * (size - others - len(main)))

    def pdf_nested_too_deep(self, name: str = "nested.pdf", depth: int = 50_000) -> Path:
        """A page whose text is inside `depth` nested arrays: a parser that recurses."""
        text = b"[" * depth + b"(deep)" + b"]" * depth
        return self.write(name, _raw_pdf(_page_objects(b"BT /F1 12 Tf " + text + b" TJ ET")))

    def pdf_with_pages(self, name: str = "thick.pdf", pages: int = 10_000) -> Path:
        """`pages` pages in a small file: every page is the same one, listed again."""
        objects = _page_objects(b"BT /F1 12 Tf (Again.) Tj ET")
        objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
            b" ".join([b"3 0 R"] * pages),
            pages,
        )
        return self.write(name, _raw_pdf(objects))

    def slow_pdf(self, name: str = "slow.pdf", operations: int = 50_000) -> Path:
        """One page drawn by `operations` separate text operations: slow to extract."""
        content = b"BT /F1 12 Tf 10 10 Td (x) Tj ET\n" * operations
        return self.write(name, _raw_pdf(_page_objects(content)))

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

    def _docx_with_part(self, name: str, document_xml: bytes | None) -> Path:
        """A real DOCX with word/document.xml replaced (or left out, with None)."""
        original = zipfile.ZipFile(self.docx(name))
        buffer = io.BytesIO()
        with original, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as copy:
            for part in original.infolist():
                if part.filename != "word/document.xml":
                    copy.writestr(part, original.read(part))
                elif document_xml is not None:
                    copy.writestr(part, document_xml)
        return self.write(name, buffer.getvalue())

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


def _page_objects(content: bytes) -> list[bytes]:
    """A one-page PDF's objects: catalog, page tree, page, font, content stream."""
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]


def _raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF written by hand, objects numbered from 1, with a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()
