"""Deep research: plan sub-questions, search the documents for each, gather the sources."""

from web.chat.answer_log import AnswerLog
from web.chat.question import Question
from web.context import AppContext
from web.llm.prompts import AnswerRequest
from web.retrieval import Passage, search


async def research(ctx: AppContext, log: AnswerLog, question: Question) -> AnswerRequest:
    settings = ctx.settings
    log.step("Planning the research…")
    sub_questions = await ctx.answerer.plan(
        question.content, question.history, settings.research_sub_questions
    )
    found: dict[int, Passage] = {}
    for sub_question in sub_questions:
        passages = search(
            ctx.db,
            question.workspace_id,
            sub_question,
            question.document_ids,
            settings.research_passages_per_question,
        )
        found.update((p.chunk_id, p) for p in passages if p.chunk_id not in found)
        log.step(f"Searched “{sub_question}”: {_passages(len(passages))}")
    if found:
        log.step(f"Writing the answer from {_passages(len(found))}…")
    return AnswerRequest(
        question=question.content,
        passages=list(found.values()),
        mode="research",
        history=question.history,
        sub_questions=sub_questions,
    )


def no_evidence(sub_questions: list[str]) -> str:
    searched = "\n".join(f"- {q}" for q in sub_questions)
    return (
        f"I searched your documents for:\n\n{searched}\n\nand found nothing relevant, so I "
        "won't guess an answer. Try other words, or choose other documents for this chat."
    )


def _passages(count: int) -> str:
    return f"{count} passage{'s' if count != 1 else ''}" if count else "nothing found"
