"""Split page text into overlapping passages for the full-text index, a block of text at a
time: what is held is a block and a passage's worth, however long the document."""

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# Blanks other than a space become spaces, then runs of spaces one: in two passes, each
# simple enough for C to do fast (one regular expression for both was 3x slower).
_BLANKS = str.maketrans("\t\r\f\v", "    ")
_SPACE_RUNS = re.compile("  +")


@dataclass
class Chunk:
    seq: int
    page: int | None
    text: str


@dataclass
class Block:
    """Some of a page's text, in the order it is read (a page may come in many)."""

    page: int | None
    text: str


def chunk_blocks(blocks: Iterable[Block], size: int, overlap: int) -> Iterator[Chunk]:
    """Each page's passages, numbered across pages; a page's blocks come one after another."""
    seq = itertools.count()
    for page, texts in itertools.groupby(blocks, key=lambda block: block.page):
        for text in split_blocks((block.text for block in texts), size, overlap):
            yield Chunk(next(seq), page, text)


def split_text(text: str, size: int, overlap: int) -> list[str]:
    """Windows of at most `size` chars, cut at whitespace, each overlapping the last."""
    return list(split_blocks([text], size, overlap))


def split_blocks(blocks: Iterable[str], size: int, overlap: int) -> Iterator[str]:
    """split_text's windows of the blocks' text joined, passed on as soon as what follows
    cannot change them: once more than `size` characters follow a window's start."""
    text, start, blanks = "", 0, ""
    for block in blocks:
        # Blanks at a block's end wait for the next: a run of them may go on there, and the
        # text's last ones are dropped (as strip() would).
        raw = blanks + block
        body = raw.rstrip()
        blanks = raw[len(body) :]
        normalized = _SPACE_RUNS.sub(" ", body.translate(_BLANKS))
        text = text[start:] + (normalized if text else normalized.lstrip())
        start = 0
        while len(text) - start > size:
            piece, start = _window(text, start, size, overlap)
            if piece:
                yield piece
    if piece := text[start:].strip():  # what is left: `size` characters or fewer
        yield piece


def _window(text: str, start: int, size: int, overlap: int) -> tuple[str, int]:
    """The window from `start`, which more than `size` characters follow, and where the
    next one starts."""
    end = start + size
    cut = text.rfind(" ", start + size // 2, end)
    end = cut if cut > start else end
    next_start = max(end - overlap, start + 1)
    space = text.find(" ", next_start, end)
    return text[start:end].strip(), space + 1 if space != -1 else next_start
