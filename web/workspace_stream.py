"""GET /api/workspace/events: what changes in a workspace, for every open tab (Server-Sent
Events, resumable)."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query
from fastapi.sse import EventSourceResponse, ServerSentEvent

from web.context import Ctx, Workspace
from web.streams.sse import MAX_EVENT_ID, resume_point, sent

router = APIRouter(prefix="/api", tags=["streams"])


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
    """From any tab or device; never ends by itself."""
    changes = ctx.hub.follow_workspace(workspace, resume_point(last_event_id, after))
    async for event in sent(changes):
        yield event
