"""A real SSE client (httpx + httpx-sse) for protocol and load tests against the live server."""

import asyncio
import itertools
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
from httpx_sse import EventSource, ServerSentEvent, aconnect_sse, connect_sse

TIMEOUT_S = 10
ENDINGS = ("done", "error")
HEARTBEAT = ": ping"
T = TypeVar("T")


def lines_after_opening(source: EventSource) -> Iterator[str]:
    """A stream's lines after the heartbeat it opens with, at once (Firefox announces a
    stream open only with its first bytes)."""
    lines = source.response.iter_lines()
    opening = list(itertools.islice(lines, 2))
    assert opening == [HEARTBEAT, ""], f"The stream opened with {opening}, not a heartbeat"
    return lines


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end in a thread of its own.

    The test's thread may already have Playwright's event loop, where asyncio.run can't go.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class StreamClient:
    """One browser-less user: its own cookie, so its own workspace."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=TIMEOUT_S)

    def new_chat(self) -> str:
        return self.http.post("/api/sessions", json={}).raise_for_status().json()["id"]

    def ask(self, session_id: str, content: str) -> httpx.Response:
        return self.http.post(f"/api/sessions/{session_id}/messages", json={"content": content})

    @contextmanager
    def subscribe(self, events_url: str, last_event_id: str | None = None) -> Iterator[EventSource]:
        headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
        with connect_sse(self.http, "GET", events_url, headers=headers) as source:
            yield source

    def stop(self, message_id: str) -> dict[str, Any]:
        return self.http.post(f"/api/messages/{message_id}/stop").raise_for_status().json()

    def messages(self, session_id: str) -> list[dict[str, Any]]:
        return self.http.get(f"/api/sessions/{session_id}").raise_for_status().json()["messages"]

    def upload(self, file: Path, timeout_s: float = TIMEOUT_S) -> httpx.Response:
        """The response comes once the file is read: `timeout_s` for a large one."""
        files = {"file": (file.name, file.read_bytes())}
        return self.http.post("/api/documents", files=files, timeout=timeout_s)

    def upload_in_background(self, file: Path) -> Future[httpx.Response]:
        """Uploads from a thread of its own: the response comes once the file is read."""
        return self.post_in_background(
            "/api/documents", files={"file": (file.name, file.read_bytes())}
        )

    def post_in_background(self, url: str, **kwargs: Any) -> Future[httpx.Response]:
        """Posts from a thread of its own: for a request the server holds, or one that
        races another."""
        pool = ThreadPoolExecutor(max_workers=1)
        posted = pool.submit(self.http.post, url, **kwargs)
        pool.shutdown(wait=False)  # its thread ends with the request
        return posted

    def read_to_end(
        self, events_url: str, last_event_id: str | None = None
    ) -> list[ServerSentEvent]:
        """Every event up to and including the ending (`done` or `error`)."""
        with self.subscribe(events_url, last_event_id) as source:
            return until_ending(source.iter_sse())

    def close(self) -> None:
        self.http.close()


def until_ending(events: Iterator[ServerSentEvent]) -> list[ServerSentEvent]:
    read = []
    for event in events:
        read.append(event)
        if event.event in ENDINGS:
            break
    return read


def text_of(events: list[ServerSentEvent]) -> str:
    return "".join(e.json()["text"] for e in events if e.event == "token")


@dataclass
class Answered:
    question: str
    events: list[ServerSentEvent]
    first_token_s: float | None  # from sending the question


async def ask_and_read(base_url: str, question: str) -> Answered:
    """As a new user: open a chat, ask, and read the answer's stream to its end."""
    async with httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT_S) as http:
        session = (await http.post("/api/sessions", json={})).raise_for_status().json()
        start = time.perf_counter()
        url = f"/api/sessions/{session['id']}/messages"
        sent = (await http.post(url, json={"content": question})).raise_for_status()
        answered = Answered(question, [], None)
        async with aconnect_sse(http, "GET", sent.json()["events_url"]) as source:
            async for event in source.aiter_sse():
                answered.events.append(event)
                if event.event == "token" and answered.first_token_s is None:
                    answered.first_token_s = time.perf_counter() - start
                if event.event in ENDINGS:
                    break
        return answered


def ending(events: list[ServerSentEvent]) -> dict[str, Any]:
    assert events and events[-1].event in ENDINGS, f"The stream did not end: {events}"
    return events[-1].json()
