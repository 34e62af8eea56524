"""Events as Server-Sent Events, resumable with Last-Event-ID."""

from collections.abc import AsyncIterator

from fastapi.sse import ServerSentEvent

from web.streams.events import Event

RECONNECT_MS = 500
# Event ids are SQLite integers; a larger one could never have been sent.
MAX_EVENT_ID = 2**63 - 1


def resume_point(last_event_id: str | None, after: int) -> int:
    """Last-Event-ID wins over `after`; an id that is no event id is ignored."""
    if last_event_id and last_event_id.isascii() and last_event_id.isdigit():
        return min(int(last_event_id), MAX_EVENT_ID)
    return after


async def sent(events: AsyncIterator[Event]) -> AsyncIterator[ServerSentEvent]:
    """Each event with its number as its id; the first also says how soon to reconnect."""
    retry: int | None = RECONNECT_MS
    async for event in events:
        yield ServerSentEvent(event=event.type, raw_data=event.data, id=str(event.seq), retry=retry)
        retry = None
