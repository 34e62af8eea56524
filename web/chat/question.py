"""What an answer's job works from: the question, its mode, and where to look."""

from dataclasses import dataclass


@dataclass
class Question:
    content: str
    mode: str  # "chat" | "research"
    workspace_id: str
    document_ids: list[str] | None  # None: every ready document
    history: list[dict[str, str]]
