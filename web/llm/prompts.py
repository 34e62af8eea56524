"""The messages sent to the model: instructions, numbered sources, history, question."""

import itertools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from web.retrieval import Passage
from web.storage import Row

CHAT_PROMPT = (
    "You are DocChat, an assistant that answers questions about the user's documents. "
    "Use the numbered sources below when they are relevant and cite them like [1]. "
    "If the sources do not contain the answer, say so plainly instead of guessing."
)
RESEARCH_PROMPT = (
    "You are DocChat in deep research mode. The question was broken into sub-questions and "
    "the user's documents were searched for each; the numbered sources below are what was "
    "found. Write one thorough, well-structured answer that covers every sub-question, "
    "citing sources like [1] for every claim. Where the sources disagree, say so. Where they "
    "do not answer part of the question, say that instead of guessing."
)
PLAN_PROMPT = (
    "You plan research over a person's documents. Break the question into at most {limit} "
    "short, self-contained sub-questions that together answer it, each suited to a "
    "full-text search of the documents. A simple question needs only one. {answer_as}"
)
# How the plan is asked for, in the order tried: structured output to a schema, then JSON
# mode, then a plain list (servers refuse what they lack, see OpenAIAnswerer.plan). LM
# Studio refuses JSON mode but takes a schema; some proxies and older servers refuse both.
PLAN_FORMS = ("json_schema", "json_object", "list")
ANSWER_AS = {
    "json_schema": 'Answer with JSON: {"sub_questions": [...]}.',
    "json_object": 'Answer with JSON: {"sub_questions": [...]}.',
    "list": 'Answer with the sub-questions alone, one per line, each starting with "- ".',
}
# After the answer so far, when the model stopped at its length limit.
CONTINUE_PROMPT = (
    "Your answer was cut off at the length limit. Continue it from exactly where it stopped, "
    "without repeating anything and without an introduction."
)
PLAN_RESPONSE_FORMATS: dict[str, dict[str, Any]] = {
    "json_schema": {
        "type": "json_schema",
        "json_schema": {
            "name": "research_plan",
            "strict": True,
            "schema": {
                "type": "object",
                "properties": {"sub_questions": {"type": "array", "items": {"type": "string"}}},
                "required": ["sub_questions"],
                "additionalProperties": False,
            },
        },
    },
    "json_object": {"type": "json_object"},
}


@dataclass
class AnswerRequest:
    question: str
    passages: list[Passage]
    mode: str = "chat"
    history: list[dict[str, str]] = field(default_factory=list)
    sub_questions: list[str] = field(default_factory=list)
    partial: str = ""  # the answer so far, when continuing one


def source_label(number: int, passage: Passage) -> str:
    page = f", page {passage.page}" if passage.page is not None else ""
    return f"[{number}] {passage.filename}{page}"


def recent_exchanges(
    messages: Sequence[Row | Mapping[str, Any]], budget_chars: int, finished: Collection[str]
) -> list[dict[str, str]]:
    """The latest exchanges of `messages` (a chat's, oldest first) whose answer ended
    `finished` with text, as many as fit in `budget_chars`, in the order they were had."""
    kept: list[dict[str, str]] = []
    for question, answer in reversed(list(itertools.pairwise(messages))):
        if question["role"] != "user" or answer["role"] != "assistant":
            continue
        if answer["status"] not in finished or not answer["content"]:
            continue
        budget_chars -= len(question["content"]) + len(answer["content"])
        if budget_chars < 0:
            break
        kept[:0] = [
            {"role": "user", "content": question["content"]},
            {"role": "assistant", "content": answer["content"]},
        ]
    return kept


def build_messages(request: AnswerRequest) -> list[dict[str, str]]:
    research = request.mode == "research"
    messages = [{"role": "system", "content": RESEARCH_PROMPT if research else CHAT_PROMPT}]
    if research:
        plan = "\n".join(f"- {q}" for q in request.sub_questions)
        messages.append({"role": "system", "content": f"Sub-questions:\n{plan}"})
    if request.passages:
        sources = "\n\n".join(
            f"{source_label(n, p)}\n{p.text}" for n, p in enumerate(request.passages, 1)
        )
        messages.append({"role": "system", "content": f"Sources:\n\n{sources}"})
    messages += request.history
    messages.append({"role": "user", "content": request.question})
    if request.partial:
        messages.append({"role": "assistant", "content": request.partial})
        messages.append({"role": "user", "content": CONTINUE_PROMPT})
    return messages


def build_plan_messages(
    question: str, history: list[dict[str, str]], limit: int, form: str
) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": PLAN_PROMPT.format(limit=limit, answer_as=ANSWER_AS[form])},
        *history,
        {"role": "user", "content": question},
    ]
