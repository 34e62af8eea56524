"""What an answer's job writes: tokens, steps, citations and the ending.

Each is an event in the message's numbered log (what subscribers replay) and a change to
the message row (what a page shows after a reload, written by the repository), in one
transaction.
"""

from typing import Any

from web.chat import repository as repo
from web.chat.display import message_json
from web.context import AppContext
from web.llm.errors import ProviderError
from web.llm.prompts import AnswerRequest
from web.streams import events

INTERRUPTED = ProviderError(
    "interrupted", "The answer was interrupted because the server stopped.", True
)
INTERNAL = ProviderError("internal", "Something went wrong while writing the answer.", True)


def token(ctx: AppContext, message_id: str, text: str) -> None:
    with ctx.db.transaction() as conn:
        events.answers.append(conn, message_id, "token", {"text": text})
        repo.append_text(conn, message_id, text)
    ctx.hub.notify(message_id)


def step(ctx: AppContext, message_id: str, text: str) -> None:
    """A line of progress, shown while deep research runs and kept with the answer."""
    with ctx.db.transaction() as conn:
        events.answers.append(conn, message_id, "step", {"text": text})
        repo.append_step(conn, message_id, text)
    ctx.hub.notify(message_id)


def citations(ctx: AppContext, message_id: str, cited: list[dict[str, Any]]) -> None:
    with ctx.db.transaction() as conn:
        events.answers.append(conn, message_id, "citations", cited)
        repo.set_citations(conn, message_id, cited)
    ctx.hub.notify(message_id)


def finish(
    ctx: AppContext,
    message_id: str,
    status: str,
    error: ProviderError | None = None,
    *,
    sources: AnswerRequest | None = None,
) -> None:
    """Record how the answer ended and close its log with `done` or `error`.

    `sources`: what it was written from, kept when it may be continued.
    """
    error_json = error.as_json() if error else None
    with ctx.db.transaction() as conn:
        repo.set_ending(conn, message_id, status, error_json, sources)
        if error_json:  # `error {code, message, retryable}`: what went wrong, in words
            events.answers.append(conn, message_id, "error", error_json)
        else:  # `done {message}`: the finished message, as the API gives it
            message = message_json(repo.get_message_by_id(ctx.db, message_id))
            events.answers.append(conn, message_id, "done", {"message": message})
    ctx.hub.notify(message_id)


def reopen(ctx: AppContext, message_id: str) -> None:
    """An answer stopped at the length limit goes on: streaming again, same log."""
    with ctx.db.transaction() as conn:
        repo.set_streaming(conn, message_id)
        events.reopen(conn, message_id)
        repo.announce_answer(ctx.db, message_id, replaces=message_id)
