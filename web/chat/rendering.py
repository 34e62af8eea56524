"""An answer's Markdown as sanitized HTML: rendered once, as it ends, and kept with it.

Markdown takes time out of all proportion to some text (a wide table, thousands of `[`):
rendered on each read, on the event loop, one chat's answers could stall every request.
So it runs off the event loop: a long answer's in a process of its own (web/isolation.py),
given so long; past that the answer is kept as plain text, with a note saying why.
"""

import asyncio
import html
import logging

from web.chat import repository as repo
from web.chat.display import Message, markdown_to_html
from web.context import AppContext
from web.isolation import Died, OverTime, run_isolated

log = logging.getLogger("docchat.rendering")
KEPT_PLAIN = "An answer of %s characters is kept as plain text (laying it out: %s)."

# Up to this long, Markdown takes milliseconds even at its slowest (some 15 µs a
# character): a thread lays it out, sooner than a process could start (~13 ms).
IN_A_THREAD_CHARS = 2_000

SHOWN_PLAIN = (
    "This answer is shown as plain text: laying out its formatting took longer than DocChat allows."
)


def as_plain(text: str) -> str:
    return (
        f'<p class="message-note" role="note">{SHOWN_PLAIN}</p>'
        f'<div class="plain" data-testid="plain-text">{html.escape(text)}</div>'
    )


def render(text: str, seconds: float) -> str:
    """The text as HTML: a long one's rendered in a child given `seconds`, else kept as
    plain text."""
    if len(text) <= IN_A_THREAD_CHARS:
        return markdown_to_html(text)
    try:
        return run_isolated(markdown_to_html, (text,), seconds)
    except (OverTime, Died) as exc:
        log.warning(KEPT_PLAIN, f"{len(text):,}", exc)
        return as_plain(text)


async def rendered(ctx: AppContext, text: str) -> str:
    """`render`, run off the event loop."""
    return await asyncio.to_thread(render, text, ctx.settings.render_timeout_s)


async def with_html(ctx: AppContext, rows: list[Message]) -> list[Message]:
    """The messages, each ended answer with its HTML: an answer ended without it (by a
    crash, or before DocChat kept it) is rendered now, once, and kept."""
    return [await _with_html(ctx, row) for row in rows]


async def _with_html(ctx: AppContext, row: Message) -> Message:
    if row["role"] != "assistant" or row["status"] == "streaming" or row["html"] is not None:
        return row
    shown = await rendered(ctx, row["content"])
    repo.set_html(ctx.db, row["id"], row["content"], shown)
    return {**row, "html": shown}
