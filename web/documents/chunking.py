"""Split page text into overlapping passages for the full-text index."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from web.documents.extract import Page

# Runs of blanks, and lone blanks other than a space; a lone space (most of them) is left
# alone, which makes this ~10x faster on large files than replacing every blank.
_SPACE_RUNS = re.compile(r"[ \t\r\f\v]{2,}|[\t\r\f\v]")


@dataclass
class Chunk:
    seq: int
    page: int | None
    text: str


def chunk_pages(pages: list[Page], size: int, overlap: int) -> Iterator[Chunk]:
    seq = 0
    for page in pages:
        for text in split_text(page.text, size, overlap):
            yield Chunk(seq, page.number, text)
            seq += 1


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
