"""SSE: `GET /api/messages/{id}/events`, resumable with Last-Event-ID."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header
from fastapi.sse import EventSourceResponse, ServerSentEvent

from web.chat import repository as chat_repo
from web.context import Ctx, Workspace
from web.errors import NotFound

router = APIRouter(prefix="/api", tags=["streams"])

RECONNECT_MS = 500


def _assistant_message_id(message_id: str, ctx: Ctx, workspace: Workspace) -> str:
    # A dependency, so a 404 is answered before the event stream starts.
    message = chat_repo.get_message(ctx.db, workspace, message_id)
    if message is None or message["role"] != "assistant":
        raise NotFound("Message")
    return message_id


async def _subscribed(
    message_id: Annotated[str, Depends(_assistant_message_id)], ctx: Ctx
) -> AsyncIterator[str]:
    # A dependency with yield ends with the request, even one the client walked away from.
    with ctx.hub.subscriber():
        yield message_id


def _resume_point(last_event_id: str | None, after: int) -> int:
    if last_event_id and last_event_id.isdigit():
        return int(last_event_id)
    return max(after, 0)


@router.get("/messages/{message_id}/events", response_class=EventSourceResponse)
async def message_events(
    message_id: Annotated[str, Depends(_subscribed)],
    ctx: Ctx,
    after: int = 0,
    last_event_id: Annotated[str | None, Header()] = None,
) -> AsyncIterator[ServerSentEvent]:
    retry: int | None = RECONNECT_MS
    async for event in ctx.hub.subscribe(message_id, _resume_point(last_event_id, after)):
        yield ServerSentEvent(event=event.type, raw_data=event.data, id=str(event.seq), retry=retry)
        retry = None
