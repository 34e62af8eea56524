"""What an answer's job writes: tokens, the model's reasoning, steps, citations and the
ending.

Each is an event in the message's numbered log (what subscribers replay) and, but for
tokens, a change to the message row (what a page shows after a reload, written by the
repository), in one transaction. A token is only an event: the row's text is written
once, when the answer ends, from the log; until then readers add the log's text to it.
Rewriting the growing text per token would cost the square of an answer's length.

Tokens (and reasoning, likewise) are written in batches: those the job receives within one
turn of the event loop (a network read often brings several) go into one transaction when
the job next waits. But for an answer's first words (or thoughts), which a reader waits
for most: stored and sent at once, before the job reads on (`sent`).
Subscribers hear only of what is stored, so a crash loses at most that one turn's tokens,
which nobody has seen: a page never shows text the log could not replay.
"""

import asyncio
import itertools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from web.chat import repository as repo
from web.chat import rows
from web.chat.display import message_json, thought_json
from web.chat.rendering import rendered
from web.context import AppContext
from web.errors import storage_reason
from web.fault_points import fault_point
from web.llm.errors import ProviderError
from web.llm.prompts import AnswerRequest
from web.storage import Connection, DatabaseError
from web.streams import events

INTERRUPTED = ProviderError(
    "interrupted", "The answer was interrupted because the server stopped.", True
)
INTERNAL = ProviderError("internal", "Something went wrong while writing the answer.", True)
# An answer's text laid out as it ends: a fault point of its own, apart from laying out an
# answer that ended without its HTML as it is read.
_laying_out = fault_point("answer.laying_out")(rendered)


def not_stored(exc: DatabaseError | OSError) -> ProviderError:
    """The answer's text could not be stored: what a reader is told (its ending, a small
    write, may still go in)."""
    return ProviderError(
        "storage_error",
        f"The server could not save the rest of this answer because {storage_reason(exc)}. "
        "Try again later, or tell whoever runs this DocChat.",
        True,
    )


class AnswerLog:
    """One answer's writer, for as long as its job runs (or to end it after a crash)."""

    def __init__(self, ctx: AppContext, message_id: str) -> None:
        self.ctx = ctx
        self.message_id = message_id
        self._texts: list[tuple[str, str]] = []  # (type, text) received, not yet stored
        self._failed: Exception | None = None  # storing a batch failed: the job must end
        self._thinking_since: float | None = None  # reasoning came, and no answer yet
        self._ended = False

    def token(self, text: str) -> None:
        """Stored with the rest of this turn's tokens once the job waits; the first after
        the model's reasoning ends its thinking."""
        if self._thinking_since is not None:
            with self._written() as conn:
                self._thought(conn)
        self._add("token", text)

    def reasoning(self, text: str) -> None:
        """What the model thinks before it answers: shown apart, never the answer's text."""
        if self._thinking_since is None:
            self._thinking_since = time.monotonic()
        self._add("reasoning", text)

    async def sent(self) -> None:
        """What came so far stored, and its readers given it before the job reads on: for
        the first words (or thoughts) of an answer, which a reader waits for most. A
        model's stream often brings more in the same read; without this they waited for
        all of it to be handled, and the job's next wait."""
        self._flush()
        await asyncio.sleep(0)  # the readers it woke run first, then the job

    def _add(self, type_: str, text: str) -> None:
        self._raise_if_failed()
        self._texts.append((type_, text))
        if len(self._texts) == 1:
            asyncio.get_running_loop().call_soon(self._store_texts_or_fail)

    def _thought(self, conn: Connection) -> None:
        """`thought {seconds, label}`: how long the model thought (all told, when it goes
        on after a Continue), once it stops thinking."""
        assert self._thinking_since is not None  # called only once the model thought
        seconds = time.monotonic() - self._thinking_since
        self._thinking_since = None
        total = repo.add_thought(conn, self.message_id, seconds)
        events.answers.append(conn, self.message_id, "thought", thought_json(total))

    def step(self, text: str) -> None:
        """A line of progress, shown while deep research runs and kept with the answer."""
        with self._written() as conn:
            events.answers.append(conn, self.message_id, "step", {"text": text})
            repo.append_step(conn, self.message_id, text)

    def citations(self, cited: list[dict[str, Any]]) -> None:
        with self._written() as conn:
            events.answers.append(conn, self.message_id, "citations", cited)
            repo.set_citations(conn, self.message_id, cited)

    async def finish(
        self,
        status: str,
        error: ProviderError | None = None,
        *,
        sources: AnswerRequest | None = None,
        usage: dict[str, int] | None = None,
    ) -> None:
        """`end`, with the answer's whole text laid out as HTML first (off the loop); once.
        A job cancelled meanwhile (Stop, the server stopping) ends as it was about to,
        laid out when first read, and any ending it then tries is not written."""
        if self._ended:
            return
        self._flush()  # its whole text stored, then read (the job writes no more of it)
        text = rows.answer_text(self.ctx.db.conn, self.message_id)
        try:
            html = await _laying_out(self.ctx, text)
        except asyncio.CancelledError:
            self.end(status, error, sources=sources, usage=usage)
            raise
        self.end(status, error, sources=sources, usage=usage, laid_out=(text, html))

    def end(
        self,
        status: str,
        error: ProviderError | None = None,
        *,
        sources: AnswerRequest | None = None,
        usage: dict[str, int] | None = None,
        laid_out: tuple[str, str] | None = None,
    ) -> None:
        """Record how the answer ended, with its text, and close its log with `done` or
        `error`. `sources`: what it was written from, kept when it may be continued;
        `usage`: the tokens it cost, where the model service said; `laid_out`: its whole
        text and that as HTML (None: laid out when first read, web/chat/rendering.py)."""
        error_json = error.as_json() if error else None
        with self._written() as conn:
            if self._thinking_since is not None:
                self._thought(conn)
            repo.set_ending(conn, self.message_id, status, error_json, sources, usage, laid_out)
            if error_json:  # `error {code, message, retryable}`: what went wrong, in words
                events.answers.append(conn, self.message_id, "error", error_json)
            else:  # `done {message}`: the finished message, as the API gives it
                message = message_json(rows.get_message_by_id(self.ctx.db, self.message_id))
                events.answers.append(conn, self.message_id, "done", {"message": message})
        self._ended = True

    @contextmanager
    def _written(self) -> Iterator[Connection]:
        """A transaction of the answer's, after the tokens received before it: the log
        keeps the order things happened in."""
        self._flush()
        with self._stored() as conn:
            yield conn

    @contextmanager
    def _stored(self) -> Iterator[Connection]:
        """Subscribers hear of a change once it is stored."""
        with self.ctx.db.transaction() as conn:
            yield conn
        self.ctx.hub.notify(self.message_id)

    def _store_texts(self) -> None:
        if self._texts:
            texts, self._texts = self._texts, []
            with self._stored() as conn:
                for type_, run in itertools.groupby(texts, key=lambda item: item[0]):
                    events.answers.append_many(
                        conn, self.message_id, type_, [{"text": text} for _, text in run]
                    )

    def _flush(self) -> None:
        """The tokens received so far stored, unless a batch of them could not be."""
        self._raise_if_failed()
        self._store_texts()

    def _store_texts_or_fail(self) -> None:
        try:
            self._store_texts()
        except Exception as exc:  # the job hears of it at its next write, and ends
            self._failed = exc

    def _raise_if_failed(self) -> None:
        if failed := self._failed:
            self._failed = None  # once: the job's ending is written after it
            raise failed
