"""How a document is described to a person: "PDF · 3 pages · 1.2 MB"."""

from typing import Any

from web.documents.validate import DOCX, PDF

TYPE_NAMES = {PDF: "PDF", DOCX: "Word", "text/markdown": "Markdown", "text/plain": "Text"}


def summary(document: dict[str, Any]) -> str:
    parts = [TYPE_NAMES.get(document["content_type"], document["content_type"])]
    if pages := document["pages"]:
        parts.append(f"{pages} page{'s' if pages != 1 else ''}")
    parts.append(human_size(document["size"]))
    return " · ".join(parts)


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
