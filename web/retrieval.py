"""Best-matching passages for a question: SQLite FTS5 ranked by BM25."""

import re
from dataclasses import dataclass

from web.storage import Database

_WORDS = re.compile(r"\w+", re.UNICODE)
# Words that match nearly every passage; searching for them finds noise, not evidence.
# fmt: off
STOPWORDS = frozenset({
    "a", "about", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "could",
    "did", "do", "does", "for", "from", "had", "has", "have", "how", "i", "if", "in", "into",
    "is", "it", "its", "me", "my", "no", "not", "of", "on", "or", "our", "so", "than", "that",
    "the", "their", "them", "then", "there", "these", "they", "this", "to", "was", "we", "were",
    "what", "when", "where", "which", "who", "whom", "why", "will", "with", "would", "you",
    "your",
})
# fmt: on


@dataclass
class Passage:
    chunk_id: int
    document_id: str
    filename: str
    page: int | None
    text: str


def fts_query(question: str) -> str | None:
    """Any of the question's words, each quoted so FTS5 syntax in it stays literal."""
    words = dict.fromkeys(
        w
        for w in (w.lower() for w in _WORDS.findall(question))
        if len(w) > 1 and w not in STOPWORDS
    )
    return " OR ".join(f'"{w}"' for w in words) or None


def search(
    db: Database,
    workspace_id: str,
    question: str,
    document_ids: list[str] | None,
    limit: int,
) -> list[Passage]:
    query = fts_query(question)
    if query is None or document_ids == []:
        return []
    scope = ""
    params: list[object] = [query, workspace_id]
    if document_ids is not None:
        scope = f"AND d.id IN ({', '.join('?' for _ in document_ids)})"
        params += document_ids
    rows = db.all(db.passages_sql.format(scope=scope) + " LIMIT ?", *params, limit)
    return [Passage(r["id"], r["document_id"], r["filename"], r["page"], r["text"]) for r in rows]
