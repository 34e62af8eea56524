"""A question waits for the documents its chat answers from that are still being read:
an answer written meanwhile would say they hold nothing."""

from web.chat.answer_log import AnswerLog
from web.chat.question import Question
from web.context import AppContext
from web.documents import repository as doc_repo


async def documents_read(ctx: AppContext, log: AnswerLog, question: Question) -> None:
    """Until none of the chat's documents being read now is still being read, saying so
    as a step; one that could not be read is named, and left out."""

    def being_read() -> dict[str, str]:
        """id → file name."""
        rows = doc_repo.chosen(ctx.db, question.workspace_id, question.document_ids)
        return {row["id"]: row["filename"] for row in rows if row["status"] == "processing"}

    waited = being_read()
    if not waited:
        return
    log.step(f"Waiting for {_listed(list(waited.values()))} to be read…")
    await ctx.hub.until(question.workspace_id, lambda: not being_read().keys() & waited.keys())
    rows = doc_repo.chosen(ctx.db, question.workspace_id, list(waited))
    if failed := [row["filename"] for row in rows if row["status"] == "failed"]:
        them = "them" if len(failed) > 1 else "it"
        log.step(f"{_listed(failed)} could not be read, so the answer leaves {them} out.")


def _listed(names: list[str]) -> str:
    """ "a.pdf", "a.pdf and b.pdf", "a.pdf, b.pdf and c.pdf"."""
    return " and ".join(filter(None, [", ".join(names[:-1]), names[-1]]))
