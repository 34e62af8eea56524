"""Text out of a stored document, page by page where the format has pages."""

import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import pypdf
from docx.opc.exceptions import PackageNotFoundError
from pypdf.errors import PdfReadError

from web.documents.validate import DOCX, PDF
from web.storable_text import storable

MB = 1024 * 1024


@dataclass
class Page:
    number: int | None
    text: str


@dataclass(frozen=True)
class Limits:
    """The most a document may hold, checked as it is read."""

    max_pages: int
    max_chars: int
    max_unpacked_mb: int  # a Word file's parts, unzipped


class ExtractionError(Exception):
    """The document cannot be read; the message is for the person who uploaded it."""


def extract_pages(path: Path, content_type: str, limits: Limits) -> list[Page]:
    return [Page(page.number, storable(page.text)) for page in _pages(path, content_type, limits)]


def _pages(path: Path, content_type: str, limits: Limits) -> list[Page]:
    if content_type == PDF:
        return _pdf_pages(path, limits)
    if content_type == DOCX:
        return [Page(None, _capped(_docx_text(path, limits), limits))]
    return [Page(None, _capped(decode_text(path.read_bytes()), limits))]


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a BOM), else Windows-1252, which reads Latin-1 text too (the
    few bytes it leaves undefined become �, so text never fails to decode)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _capped(text: str, limits: Limits) -> str:
    if len(text) > limits.max_chars:
        raise _too_much_text(limits)
    return text


def _too_much_text(limits: Limits) -> ExtractionError:
    return ExtractionError(
        f"This document holds more than {limits.max_chars:,} characters of text, the most "
        "DocChat reads. Split it into smaller files."
    )


def _pdf_pages(path: Path, limits: Limits) -> list[Page]:
    try:
        reader = pypdf.PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError(
                "This PDF is password-protected. Remove the password and upload it again."
            )
        if (count := len(reader.pages)) > limits.max_pages:
            raise ExtractionError(
                f"This PDF has {count:,} pages; DocChat reads at most {limits.max_pages:,}. "
                "Split it into smaller files."
            )
        pages, chars = [], 0
        for number, page in enumerate(reader.pages, 1):
            pages.append(Page(number, page.extract_text() or ""))
            chars += len(pages[-1].text)
            if chars > limits.max_chars:
                raise _too_much_text(limits)
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


def _megabytes_over(size: int, limit_mb: int) -> str:
    """A size past a limit in MB, never rounded down to the limit itself."""
    return f"{size / MB:,.0f} MB" if round(size / MB) > limit_mb else f"just over {limit_mb:,} MB"


def _docx_text(path: Path, limits: Limits) -> str:
    try:
        with zipfile.ZipFile(path) as archive:  # zipfile unpacks no more than it declares
            unpacked = sum(part.file_size for part in archive.infolist())
        if unpacked > (limit := limits.max_unpacked_mb) * MB:
            raise ExtractionError(
                f"This Word document unpacks to {_megabytes_over(unpacked, limit)}; "
                f"DocChat reads at most {limit:,} MB."
            )
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise ExtractionError(
            "This Word document is damaged, so DocChat cannot read it. Try saving it again."
        ) from exc
    paragraphs = [p.text for p in document.paragraphs]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(paragraphs + cells)
