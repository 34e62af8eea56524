"""Split page text into overlapping passages for the full-text index."""

import re
from dataclasses import dataclass

from web.documents.extract import Page

_SPACE_RUNS = re.compile(r"[ \t\r\f\v]+")


@dataclass
class Chunk:
    seq: int
    page: int | None
    text: str


def chunk_pages(pages: list[Page], size: int, overlap: int) -> list[Chunk]:
    chunks: list[Chunk] = []
    for page in pages:
        for text in split_text(page.text, size, overlap):
            chunks.append(Chunk(len(chunks), page.number, text))
    return chunks


def split_text(text: str, size: int, overlap: int) -> list[str]:
    """Windows of at most `size` chars, cut at whitespace, each overlapping the last."""
    text = _SPACE_RUNS.sub(" ", text).strip()
    pieces: list[str] = []
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            cut = text.rfind(" ", start + size // 2, end)
            end = cut if cut > start else end
        pieces.append(text[start:end].strip())
        if end >= len(text):
            break
        next_start = max(end - overlap, start + 1)
        space = text.find(" ", next_start, end)
        start = space + 1 if space != -1 else next_start
    return [p for p in pieces if p]
