"""An event stream as the browser reads it: a keep-alive at once, then each batch's
events, each with its number as its id, the first event also saying how soon to
reconnect; an empty batch is a keep-alive; nothing in it is buffered by a proxy."""

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

from web.streams.events import Event
from web.streams.sse import EventStream

PING = b": ping\n\n"


async def batches(*each: list[Event]) -> AsyncIterator[list[Event]]:
    for batch in each:
        yield batch


def sent(stream: EventStream) -> list[bytes]:
    async def read() -> list[bytes]:
        return [
            chunk.encode() if isinstance(chunk, str) else bytes(chunk)
            async for chunk in stream.body_iterator
        ]

    # On a thread of its own: the browser tests run an event loop in this one.
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, read()).result()


def test_events_are_numbered_and_only_the_first_says_how_soon_to_reconnect() -> None:
    words = [
        Event(seq, "token", f'{{"text": "{w}"}}') for seq, w in [(6, "On"), (7, "ha"), (8, "va")]
    ]
    stream = EventStream(batches([], words, [], [Event(9, "done", "{}")]))

    assert sent(stream) == [
        PING,
        PING,
        b'event: token\ndata: {"text": "On"}\nid: 6\nretry: 500\n\n'
        b'event: token\ndata: {"text": "ha"}\nid: 7\n\n'
        b'event: token\ndata: {"text": "va"}\nid: 8\n\n',
        PING,
        b"event: done\ndata: {}\nid: 9\n\n",
    ]


def test_an_event_stream_is_not_cached_or_buffered_on_its_way() -> None:
    stream = EventStream(batches())

    assert stream.media_type == "text/event-stream"
    assert stream.headers["cache-control"] == "no-cache"
    assert stream.headers["x-accel-buffering"] == "no"
