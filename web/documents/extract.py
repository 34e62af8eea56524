"""Text out of a stored document, page by page where the format has pages."""

from dataclasses import dataclass
from pathlib import Path

# Tried in order; latin-1 decodes any byte, so text never fails to decode.
TEXT_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


@dataclass
class Page:
    number: int | None
    text: str


class ExtractionError(Exception):
    """The document cannot be read; the message is for the person who uploaded it."""


def extract_pages(path: Path, content_type: str) -> list[Page]:
    if content_type.startswith("text/"):
        return [Page(None, decode_text(path.read_bytes()))]
    raise ExtractionError(f"Cannot read {content_type} documents.")


def decode_text(data: bytes) -> str:
    for encoding in TEXT_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")
