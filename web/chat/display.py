"""How a message is shown: an answer's Markdown as sanitized HTML, the note on how it
ended, and where its event stream is. (Rows are read and written in `repository`.)"""

import json
from typing import Any

import nh3
from markdown_it import MarkdownIt

from web.chat.endings import note
from web.storage import Row

# Raw HTML off, then sanitized: a model's answer is untrusted text.
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
    message["html"] = markdown_to_html(row["content"]) if answer else None
    message["events_url"] = f"/api/messages/{row['id']}/events" if answer else None
    return message
