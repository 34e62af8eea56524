"""Answers whose process is gone (it crashed) end as `interrupted`, and its documents as
failed: at start, and at each renewal of this process's lease (web/leases.py)."""

from web.chat import repository as repo
from web.chat.answer_log import INTERRUPTED, AnswerLog
from web.context import AppContext
from web.documents import repository as doc_repo
from web.fault_points import fault_point


def end_orphaned_work(ctx: AppContext) -> None:
    for message_id in repo.adopt_orphans(ctx.db, ctx.lease.id):
        AnswerLog(ctx, message_id).end("interrupted", INTERRUPTED)
    doc_repo.fail_orphans(ctx.db)


@fault_point("lease.keeping")
async def keep_lease(ctx: AppContext) -> None:
    """Renew this process's lease, and end the work of those whose lease ran out."""
    ctx.lease.renew()
    end_orphaned_work(ctx)
