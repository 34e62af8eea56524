"""The job that writes one answer into its message's event log."""

import asyncio
import json
import logging
from typing import Any

from web.chat import repository as repo
from web.context import AppContext
from web.llm.errors import ProviderError
from web.llm.prompts import AnswerRequest
from web.streams import events

log = logging.getLogger("docchat.generation")

INTERRUPTED = ProviderError(
    "interrupted", "The answer was interrupted because the server stopped.", True
)
INTERNAL = ProviderError("internal", "Something went wrong while writing the answer.", True)


async def write_answer(ctx: AppContext, message_id: str, request: AnswerRequest) -> None:
    try:
        async for text in ctx.answerer.stream(request):
            _append_token(ctx, message_id, text)
    except ProviderError as err:
        log.warning("answer %s failed: %s (%s)", message_id, err.code, err.message)
        finish(ctx, message_id, "error", err)
    except asyncio.CancelledError:
        if ctx.hub.stop_requested(message_id):
            finish(ctx, message_id, "stopped")
        else:
            finish(ctx, message_id, "interrupted", INTERRUPTED)
        raise
    except Exception:
        log.exception("answer %s crashed", message_id)
        finish(ctx, message_id, "error", INTERNAL)
    else:
        finish(ctx, message_id, "done")


def _append_token(ctx: AppContext, message_id: str, text: str) -> None:
    with ctx.db.transaction() as conn:
        events.append(conn, message_id, "token", {"text": text})
        conn.execute("UPDATE messages SET content = content || ? WHERE id = ?", (text, message_id))
    ctx.hub.notify(message_id)


def finish(
    ctx: AppContext, message_id: str, status: str, error: ProviderError | None = None
) -> None:
    """Record how the answer ended and close its log with `done` or `error`."""
    error_json = error.as_json() if error else None
    with ctx.db.transaction() as conn:
        conn.execute(
            "UPDATE messages SET status = ?, error = ? WHERE id = ?",
            (status, json.dumps(error_json) if error_json else None, message_id),
        )
        message = repo.message_json(repo.get_message_by_id(ctx.db, message_id))
        ending: dict[str, Any] = {"message": message}
        events.append(
            conn, message_id, "error" if error else "done", {**(error_json or {}), **ending}
        )
    ctx.hub.notify(message_id)
