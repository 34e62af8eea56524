"""Answers as HTML: Markdown rendered on the server, raw HTML off, then sanitized."""

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def markdown_to_html(text: str) -> str:
    return nh3.clean(_markdown.render(text), link_rel="noopener noreferrer nofollow")
