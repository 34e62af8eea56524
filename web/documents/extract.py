"""Text out of a stored document, a block at a time: page by page where the format has
pages, in blocks of BLOCK_CHARS where it has none. Nothing holds a whole document's text."""

import codecs
import itertools
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import docx
import pypdf
from docx.opc.exceptions import PackageNotFoundError
from pypdf.errors import PdfReadError

from web.documents.chunking import Block
from web.documents.validate import DOCX, PDF
from web.storable_text import storable

MB = 1024 * 1024
# Characters of a block (bytes, read from a text file): large enough that passing it on
# costs little next to indexing it, small next to the 50 MB a file may be.
BLOCK_CHARS = 256 * 1024


@dataclass(frozen=True)
class Limits:
    """The most a document may hold, checked as it is read."""

    max_pages: int
    max_chars: int
    max_unpacked_mb: int  # a Word file's parts, unzipped


class ExtractionError(Exception):
    """The document cannot be read; the message is for the person who uploaded it."""


def extract_blocks(path: Path, content_type: str, limits: Limits) -> Iterator[Block]:
    """The document's text, block by block, each storable in either database; fails with
    ExtractionError as soon as it holds more than the limits allow."""
    chars = 0
    for block in _blocks(path, content_type, limits):
        chars += len(block.text)
        if chars > limits.max_chars:
            raise _too_much_text(limits)
        yield Block(block.page, storable(block.text))


def _blocks(path: Path, content_type: str, limits: Limits) -> Iterator[Block]:
    if content_type == PDF:
        return _pdf_blocks(path, limits)
    if content_type == DOCX:
        return (Block(None, text) for text in _docx_blocks(path, limits))
    return (Block(None, text) for text in _text_blocks(path))


def _text_blocks(path: Path) -> Iterator[str]:
    """UTF-8 (with or without a BOM), else Windows-1252, which reads Latin-1 text too (the
    few bytes it leaves undefined become �, so text never fails to decode)."""
    encoding, errors = ("utf-8-sig", "strict") if _is_utf8(path) else ("cp1252", "replace")
    decoder = codecs.getincrementaldecoder(encoding)(errors)
    with path.open("rb") as file:
        while data := file.read(BLOCK_CHARS):
            yield decoder.decode(data)
    yield decoder.decode(b"", final=True)


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as file:
            while data := file.read(BLOCK_CHARS):
                decoder.decode(data)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _too_much_text(limits: Limits) -> ExtractionError:
    return ExtractionError(
        f"This document holds more than {limits.max_chars:,} characters of text, the most "
        "DocChat reads. Split it into smaller files."
    )


def _pdf_blocks(path: Path, limits: Limits) -> Iterator[Block]:
    """Each page's text, a page a block."""
    found_text = False
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
        for number, page in enumerate(reader.pages, 1):
            text = page.extract_text() or ""
            found_text = found_text or bool(text.strip())
            yield Block(number, text)
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise ExtractionError(
            "This PDF is damaged or incomplete, so DocChat cannot read it. "
            "Try saving or exporting it again."
        ) from exc
    if not found_text:
        raise ExtractionError(
            "No text found in this PDF — is it a scanned image? "
            "DocChat needs a PDF with selectable text."
        )


def _megabytes_over(size: int, limit_mb: int) -> str:
    """A size past a limit in MB, never rounded down to the limit itself."""
    return f"{size / MB:,.0f} MB" if round(size / MB) > limit_mb else f"just over {limit_mb:,} MB"


def _docx_blocks(path: Path, limits: Limits) -> Iterator[str]:
    """Its paragraphs', then its tables' cells' text, a line each."""
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
    paragraphs = (p.text for p in document.paragraphs)
    cells = (cell.text for table in document.tables for row in table.rows for cell in row.cells)
    return _lines_in_blocks(itertools.chain(paragraphs, cells))


def _lines_in_blocks(lines: Iterable[str]) -> Iterator[str]:
    """The lines joined with line ends, as blocks of about BLOCK_CHARS."""
    block: list[str] = []
    size = 0
    for number, line in enumerate(lines):
        block.append(line if number == 0 else "\n" + line)
        size += len(block[-1])
        if size >= BLOCK_CHARS:
            yield "".join(block)
            block, size = [], 0
    yield "".join(block)
