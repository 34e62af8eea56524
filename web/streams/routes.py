"""SSE, resumable with Last-Event-ID: an answer's events, and its workspace's changes."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query
from fastapi.sse import EventSourceResponse, ServerSentEvent

from web.chat import repository as chat_repo
from web.context import Ctx, Workspace
from web.errors import NotFound
from web.streams.events import Event

router = APIRouter(prefix="/api", tags=["streams"])

RECONNECT_MS = 500
# Event ids are SQLite integers; a larger one could never have been sent.
MAX_EVENT_ID = 2**63 - 1


def _assistant_message_id(message_id: str, ctx: Ctx, workspace: Workspace) -> str:
    # A dependency, so a 404 is answered before the event stream starts.
    message = chat_repo.get_message(ctx.db, workspace, message_id)
    if message is None or message["role"] != "assistant":
        raise NotFound("Message")
    return message_id


async def _subscribed(
    message_id: Annotated[str, Depends(_assistant_message_id)], ctx: Ctx, workspace: Workspace
) -> AsyncIterator[str]:
    # A dependency with yield ends with the request, even one the client walked away from.
    with ctx.streams.hold(workspace), ctx.hub.subscriber():
        yield message_id


def _resume_point(last_event_id: str | None, after: int) -> int:
    """Last-Event-ID wins over `after`; an id that is no event id is ignored."""
    if last_event_id and last_event_id.isascii() and last_event_id.isdigit():
        return min(int(last_event_id), MAX_EVENT_ID)
    return after


@router.get("/messages/{message_id}/events", response_class=EventSourceResponse)
async def message_events(
    message_id: Annotated[str, Depends(_subscribed)],
    ctx: Ctx,
    after: Annotated[int, Query(ge=0, le=MAX_EVENT_ID)] = 0,
    last_event_id: Annotated[str | None, Header()] = None,
) -> AsyncIterator[ServerSentEvent]:
    async for sent in _sent(ctx.hub.subscribe(message_id, _resume_point(last_event_id, after))):
        yield sent


async def _following(ctx: Ctx, workspace: Workspace) -> AsyncIterator[str]:
    with ctx.live_tabs.hold(workspace), ctx.hub.subscriber():
        yield workspace


@router.get("/workspace/events", response_class=EventSourceResponse)
async def workspace_events(
    workspace: Annotated[str, Depends(_following)],
    ctx: Ctx,
    after: Annotated[int, Query(ge=0, le=MAX_EVENT_ID)] = 0,
    last_event_id: Annotated[str | None, Header()] = None,
) -> AsyncIterator[ServerSentEvent]:
    """What changes in the workspace, from any tab or device: never ends by itself."""
    changes = ctx.hub.follow_workspace(workspace, _resume_point(last_event_id, after))
    async for sent in _sent(changes):
        yield sent


async def _sent(events: AsyncIterator[Event]) -> AsyncIterator[ServerSentEvent]:
    """Each event with its number as its id; the first also says how soon to reconnect."""
    retry: int | None = RECONNECT_MS
    async for event in events:
        yield ServerSentEvent(event=event.type, raw_data=event.data, id=str(event.seq), retry=retry)
        retry = None
