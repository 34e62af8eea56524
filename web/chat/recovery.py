"""After a crash, answers that were streaming end as `interrupted`."""

from web.chat import repository as repo
from web.chat.answer_log import INTERRUPTED, finish
from web.context import AppContext


def interrupt_unfinished_answers(ctx: AppContext) -> None:
    for message_id in repo.streaming_answer_ids(ctx.db):
        finish(ctx, message_id, "interrupted", INTERRUPTED)
