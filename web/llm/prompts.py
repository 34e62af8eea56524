"""The messages sent to the model: instructions, numbered sources, history, question."""

from dataclasses import dataclass, field

from web.retrieval import Passage

SYSTEM_PROMPT = (
    "You are DocChat, an assistant that answers questions about the user's documents. "
    "Use the numbered sources below when they are relevant and cite them like [1]. "
    "If the sources do not contain the answer, say so plainly instead of guessing."
)


@dataclass
class AnswerRequest:
    question: str
    passages: list[Passage]
    mode: str = "chat"
    history: list[dict[str, str]] = field(default_factory=list)


def source_label(number: int, passage: Passage) -> str:
    page = f", page {passage.page}" if passage.page is not None else ""
    return f"[{number}] {passage.filename}{page}"


def build_messages(request: AnswerRequest) -> list[dict[str, str]]:
    messages = [{"role": "system", "content": SYSTEM_PROMPT}]
    if request.passages:
        sources = "\n\n".join(
            f"{source_label(n, p)}\n{p.text}" for n, p in enumerate(request.passages, 1)
        )
        messages.append({"role": "system", "content": f"Sources:\n\n{sources}"})
    messages += request.history
    messages.append({"role": "user", "content": request.question})
    return messages
