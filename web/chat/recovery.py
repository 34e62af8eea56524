"""After a crash, answers that were streaming end as `interrupted`."""

from web.chat import repository as repo
from web.chat.answer_log import INTERRUPTED, AnswerLog
from web.context import AppContext


def interrupt_unfinished_answers(ctx: AppContext) -> None:
    for message_id in repo.streaming_answer_ids(ctx.db):
        AnswerLog(ctx, message_id).finish("interrupted", INTERRUPTED)
