"""How a message is shown: an answer's Markdown as sanitized HTML (laid out once, in
`rendering`), the note on how it ended, how long the model thought and what the answer
cost, and where its event stream is. (Rows are read and written in `repository`.)"""

import json
from typing import Any

import nh3
from markdown_it import MarkdownIt

from web.chat.endings import note
from web.storage import Row

# Raw HTML off, then sanitized: a model's answer is untrusted text. Run off the event loop,
# once an answer (web/chat/rendering.py): some text takes seconds.
_markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def markdown_to_html(text: str) -> str:
    return nh3.clean(_markdown.render(text), link_rel="noopener noreferrer nofollow")


# A message's row, or (while it is written) the row with its text so far.
Message = Row | dict[str, Any]


def message_json(row: Message) -> dict[str, Any]:
    """A message as the API, the pages and the event streams give it."""
    message = dict(row)
    message["error"] = json.loads(row["error"]) if row["error"] else None
    message["offline"] = bool(row["offline"])
    message["citations"] = json.loads(row["citations"]) if row["citations"] else []
    message["steps"] = json.loads(row["steps"]) if row["steps"] else []
    message["note"] = note(row["status"])
    answer = row["role"] == "assistant"
    message["events_url"] = f"/api/messages/{row['id']}/events" if answer else None
    thought_s = row["thought_s"]
    message["thought"] = thought_label(thought_s) if thought_s is not None else None
    message["usage"] = json.loads(row["usage"]) if row["usage"] else None
    message["usage_label"] = usage_label(message["usage"]) if message["usage"] else None
    return message


def thought_json(seconds: float) -> dict[str, Any]:
    """`thought {seconds, label}`: what an answer's log says once the model stops thinking."""
    return {"seconds": seconds, "label": thought_label(seconds)}


def thought_label(seconds: float) -> str:
    """What the Thinking block says once the model stops thinking: Thought for 12 seconds."""
    return f"Thought for {_counted(max(1, round(seconds)), 'second')}"


def usage_label(usage: dict[str, int]) -> str:
    """What the answer cost, as: Used 1,234 tokens: 1,200 in, 34 out (20 of them thinking)."""
    given, written = usage["prompt_tokens"], usage["completion_tokens"]
    thinking = usage.get("reasoning_tokens")
    of_them = f" ({thinking:,} of them thinking)" if thinking else ""
    return f"Used {_counted(given + written, 'token')}: {given:,} in, {written:,} out{of_them}."


def _counted(count: int, unit: str) -> str:
    return f"{count:,} {unit}{'' if count == 1 else 's'}"
