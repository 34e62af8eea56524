"""GET /api/messages/{id}/events: an answer as it is written, resumable (Server-Sent Events)."""

import functools
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from web.api_models import stream_errors
from web.chat import rows
from web.context import Ctx, Workspace
from web.errors import NotFound
from web.streams.sse import ENDED, EventStream, ResumeAfter

router = APIRouter(prefix="/api", tags=["streams"])


async def _assistant_message_id(message_id: str, ctx: Ctx, workspace: Workspace) -> str:
    # A dependency, so a 404 is answered before the event stream starts.
    message = rows.get_message(ctx.db, workspace, message_id)
    if message is None or message["role"] != "assistant":
        raise NotFound("Message")
    return message_id


async def _subscribed(
    message_id: Annotated[str, Depends(_assistant_message_id)], ctx: Ctx, workspace: Workspace
) -> AsyncIterator[str]:
    # A dependency with yield ends with the request, even one the client walked away from.
    with ctx.streams.hold(workspace), ctx.hub.subscriber():
        yield message_id


@router.get(
    "/messages/{message_id}/events",
    response_class=EventStream,
    status_code=200,
    response_description="Server-Sent Events, resumable (Last-Event-ID or ?after=): token, "
    "reasoning, thought, step, citations, continued, then done or error.",
    responses={**ENDED, **stream_errors(404, 422, 429)},
)
async def message_events(
    message_id: Annotated[str, Depends(_subscribed)], ctx: Ctx, after: ResumeAfter
) -> Response:
    elsewhere = functools.partial(rows.is_being_written, ctx.db, message_id)
    if ctx.hub.answer_ended_at(message_id, after, elsewhere):
        return Response(status_code=204)
    return EventStream(ctx.hub.subscribe(message_id, after, elsewhere))
