"""Text out of a stored document, page by page where the format has pages."""

import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import pypdf
from docx.opc.exceptions import PackageNotFoundError
from pypdf.errors import PdfReadError

from web.documents.validate import DOCX, PDF

# Tried in order; latin-1 decodes any byte, so text never fails to decode.
TEXT_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


@dataclass
class Page:
    number: int | None
    text: str


class ExtractionError(Exception):
    """The document cannot be read; the message is for the person who uploaded it."""


def extract_pages(path: Path, content_type: str) -> list[Page]:
    if content_type == PDF:
        return _pdf_pages(path)
    if content_type == DOCX:
        return [Page(None, _docx_text(path))]
    return [Page(None, decode_text(path.read_bytes()))]


def decode_text(data: bytes) -> str:
    for encoding in TEXT_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")


def _pdf_pages(path: Path) -> list[Page]:
    try:
        reader = pypdf.PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError(
                "This PDF is password-protected. Remove the password and upload it again."
            )
        pages = [Page(n, page.extract_text() or "") for n, page in enumerate(reader.pages, 1)]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise ExtractionError(
            "This PDF is damaged or incomplete, so DocChat cannot read it. "
            "Try saving or exporting it again."
        ) from exc
    if not any(page.text.strip() for page in pages):
        raise ExtractionError(
            "No text found in this PDF — is it a scanned image? "
            "DocChat needs a PDF with selectable text."
        )
    return pages


def _docx_text(path: Path) -> str:
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise ExtractionError(
            "This Word document is damaged, so DocChat cannot read it. Try saving it again."
        ) from exc
    paragraphs = [p.text for p in document.paragraphs]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(paragraphs + cells)
