"""Which numbered sources an answer cites, as citations a person can open."""

import re
from collections.abc import Iterator
from typing import Any

from web.retrieval import Passage

# [1], [1, 3], [1][2] and [1-3] (hyphen or en dash) all cite.
_MARKER = re.compile(r"\[(\d+(?:\s*[,\u2013-]\s*\d+)*)\]")
SNIPPET_CHARS = 280


def cited(answer: str, passages: list[Passage]) -> list[dict[str, Any]]:
    """The passages the answer refers to by number, in number order."""
    numbers = {n for group in _MARKER.findall(answer) for n in _numbers(group, len(passages))}
    return [citation(n, passages[n - 1]) for n in sorted(numbers) if n >= 1]


def citation(number: int, passage: Passage) -> dict[str, Any]:
    text = " ".join(passage.text.split())
    snippet = text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1] + "…"
    return {
        "n": number,
        "document_id": passage.document_id,
        "filename": passage.filename,
        "page": passage.page,
        "snippet": snippet,
    }


def _numbers(group: str, highest: int) -> Iterator[int]:
    for part in group.split(","):
        ends = [int(n) for n in re.split(r"[\u2013-]", part)]
        yield from range(ends[0], min(ends[-1], highest) + 1)
