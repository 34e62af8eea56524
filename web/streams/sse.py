"""Events as Server-Sent Events, resumable with Last-Event-ID."""

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Header, Query
from fastapi.responses import StreamingResponse
from fastapi.sse import KEEPALIVE_COMMENT, format_sse_event

from web.streams.events import Event

RECONNECT_MS = 500
# Event ids are SQLite integers; a larger one could never have been sent.
MAX_EVENT_ID = 2**63 - 1


async def resume_point(
    after: Annotated[int, Query(ge=0, le=MAX_EVENT_ID)] = 0,
    last_event_id: Annotated[str | None, Header()] = None,
) -> int:
    """Last-Event-ID wins over `after`; an id that is no event id is ignored."""
    if last_event_id and last_event_id.isascii() and last_event_id.isdigit():
        return min(int(last_event_id), MAX_EVENT_ID)
    return after


# Where a stream resumes: after the event a reconnecting client last had, or `?after=`.
ResumeAfter = Annotated[int, Depends(resume_point)]
# Asked to resume where nothing more can come, a stream answers 204 No Content, which ends
# an EventSource's reconnecting (the HTML standard says so); an empty 200 would have it
# reconnect every RECONNECT_MS, for ever.
ENDED: dict[int | str, dict[str, Any]] = {
    204: {"description": "Nothing more after the event asked to resume after."}
}


class EventStream(StreamingResponse):
    """An SSE response written a batch of events at a time (web/streams/hub.py says why),
    with the headers FastAPI's own EventSourceResponse sends."""

    media_type = "text/event-stream"

    def __init__(self, batches: AsyncIterator[list[Event]]) -> None:
        super().__init__(_sent(batches), headers={"Cache-Control": "no-cache"})
        self.headers["X-Accel-Buffering"] = "no"  # nginx: pass each chunk on at once


async def _sent(batches: AsyncIterator[list[Event]]) -> AsyncIterator[bytes]:
    # A keep-alive first, at once: Firefox announces a stream open (EventSource's `open`)
    # only with its first bytes, which would otherwise wait for the first event.
    yield KEEPALIVE_COMMENT
    retry: int | None = RECONNECT_MS
    async for batch in batches:
        yield _chunk(batch, retry)
        retry = None if batch else retry


def _chunk(batch: list[Event], retry: int | None) -> bytes:
    """The batch's events, each with its number as its id, the first also saying how soon
    to reconnect (`retry`); an empty batch as a keep-alive comment."""
    if not batch:
        return KEEPALIVE_COMMENT
    first, *rest = batch
    return _formatted(first, retry) + b"".join(_formatted(event) for event in rest)


def _formatted(event: Event, retry: int | None = None) -> bytes:
    return format_sse_event(data_str=event.data, event=event.type, id=str(event.seq), retry=retry)
