"""GET /api/workspace/events: what changes in a workspace, for every open tab (Server-Sent
Events, resumable)."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from web.api_models import stream_errors
from web.context import Ctx, Workspace
from web.streams.sse import ENDED, EventStream, ResumeAfter

router = APIRouter(prefix="/api", tags=["streams"])


async def _following(ctx: Ctx, workspace: Workspace) -> AsyncIterator[str]:
    with ctx.live_tabs.hold(workspace), ctx.hub.subscriber():
        yield workspace


@router.get(
    "/workspace/events",
    response_class=EventStream,
    status_code=200,
    response_description="Server-Sent Events, resumable (Last-Event-ID or ?after=), never "
    "ending by itself: document, document_deleted, session, session_deleted, answer.",
    responses={**ENDED, **stream_errors(422, 429)},
)
async def workspace_events(
    workspace: Annotated[str, Depends(_following)], ctx: Ctx, after: ResumeAfter
) -> Response:
    """From any tab or device; never ends by itself."""
    if ctx.hub.workspace_ended_at(workspace, after):
        return Response(status_code=204)
    return EventStream(ctx.hub.follow_workspace(workspace, after))
