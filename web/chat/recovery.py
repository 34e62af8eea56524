"""After a crash, answers that were streaming end as `interrupted`."""

from web.chat.answer_log import INTERRUPTED, finish
from web.context import AppContext


def interrupt_unfinished_answers(ctx: AppContext) -> None:
    rows = ctx.db.all("SELECT id FROM messages WHERE status = 'streaming'")
    for row in rows:
        finish(ctx, row["id"], "interrupted", INTERRUPTED)
