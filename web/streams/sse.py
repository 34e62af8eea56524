"""Events as Server-Sent Events, resumable with Last-Event-ID."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Query
from fastapi.sse import ServerSentEvent

from web.streams.events import Event

RECONNECT_MS = 500
# Event ids are SQLite integers; a larger one could never have been sent.
MAX_EVENT_ID = 2**63 - 1


def _resume_point(
    after: Annotated[int, Query(ge=0, le=MAX_EVENT_ID)] = 0,
    last_event_id: Annotated[str | None, Header()] = None,
) -> int:
    """Last-Event-ID wins over `after`; an id that is no event id is ignored."""
    if last_event_id and last_event_id.isascii() and last_event_id.isdigit():
        return min(int(last_event_id), MAX_EVENT_ID)
    return after


# Where a stream resumes: after the event a reconnecting client last had, or `?after=`.
ResumeAfter = Annotated[int, Depends(_resume_point)]


async def sent(events: AsyncIterator[Event]) -> AsyncIterator[ServerSentEvent]:
    """Each event with its number as its id; the first also says how soon to reconnect."""
    retry: int | None = RECONNECT_MS
    async for event in events:
        yield ServerSentEvent(event=event.type, raw_data=event.data, id=str(event.seq), retry=retry)
        retry = None
