"""Load for benchmarks, from processes of its own: people who open a chat, ask, and read
the answer's event stream to its end, as DocChat's pages do.

Why our own client and not a load tool: none of those at hand speaks SSE as the page
does (Locust and k6 need plugins for it), and the figures need what only the client
knows: when each token arrived, against when the model emitted it. So each person is an
httpx + httpx-sse client with its own cookie, and the people are split over worker
processes: the clients never share an interpreter, or its GIL, with a server or the test.
"""

import asyncio
import multiprocessing
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from httpx_sse import EventSource, aconnect_sse, connect_sse

from e2e.perf.measure import cpu_s
from e2e.perf.model_server import emitted_ns, script

if TYPE_CHECKING:  # the workers, spawned for every load, need not import the app
    from e2e.harness.server.app_process import AppProcess

WORKERS = 2
TIMEOUT_S = 60
# Spawned workers import httpx and this module before the first person starts.
START_AFTER_S = 0.5
# Ten reads of a chat a second: faster than anyone reloads a page, slower than a bot.
REREAD_S = 0.1


@dataclass
class Heard:
    """One answer, as its reader heard it."""

    ended: str = ""  # the last event: done or error; empty if the stream broke off
    first_token_s: float | None = None  # from sending the question
    last_token_s: float | None = None
    tokens: int = 0
    delays_ms: list[float] = field(default_factory=list)  # read - emitted, per token
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.ended == "done"


def all_done(heard: list[Heard]) -> list[Heard]:
    """The answers, each of which must have ended `done`."""
    failed = [h for h in heard if not h.ok]
    assert not failed, f"{len(failed)} of {len(heard)} answers failed, e.g. {failed[0]}"
    return heard


def ttft_ms(heard: list[Heard]) -> list[float]:
    times = []
    for h in heard:
        assert h.first_token_s is not None, f"An answer with no first token: {h}"
        times.append(h.first_token_s * 1000)
    return times


def tokens_per_s(heard: Heard) -> float:
    """From its first token to its last, at its reader."""
    assert heard.first_token_s is not None and heard.last_token_s is not None
    return heard.tokens / (heard.last_token_s - heard.first_token_s)


def answered_at_cost(
    server: "AppProcess", model_url: str, tokens: int, rounds: int = 1
) -> tuple[Heard, float]:
    """One person asks `rounds` questions, one after another, each answered in `tokens`
    tokens: the last answer heard, and the server's CPU time per token (µs, its process's
    own, from /proc)."""
    script(model_url, tokens=tokens)
    before = cpu_s(server.pid)
    heard = all_done(answers(server.url, 1, rounds=rounds))
    return heard[-1], (cpu_s(server.pid) - before) / (tokens * rounds) * 1e6


async def ask_and_read(http: httpx.AsyncClient, question: str) -> Heard:
    session = (await http.post("/api/sessions", json={})).raise_for_status().json()
    heard = Heard()
    start = time.perf_counter()
    url = f"/api/sessions/{session['id']}/messages"
    sent = (await http.post(url, json={"content": question})).raise_for_status()
    async with aconnect_sse(http, "GET", sent.json()["events_url"]) as source:
        async for event in source.aiter_sse():
            if event.event == "token":
                now_ns, since_s = time.time_ns(), time.perf_counter() - start
                heard.first_token_s = heard.first_token_s or since_s
                heard.last_token_s = since_s
                heard.tokens += 1
                heard.delays_ms.append((now_ns - emitted_ns(event.json()["text"])) / 1e6)
            if event.event in ("done", "error"):
                heard.ended = event.event
                break
    return heard


async def _person(base_url: str, question: str, rounds: int, until: float | None) -> list[Heard]:
    """`rounds` answers one after another; with `until` (time.time()), on until then."""
    answers = []
    async with httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT_S) as http:
        while True:
            try:
                answers.append(await ask_and_read(http, question))
            except httpx.HTTPError as exc:
                answers.append(Heard(error=f"{type(exc).__name__}: {exc}"))
            if len(answers) >= rounds and (until is None or time.time() >= until):
                return answers


def _worker(
    base_url: str, people: int, start_at: float, rounds: int, duration_s: float | None
) -> list[Heard]:
    async def everyone() -> list[Heard]:
        await asyncio.sleep(max(0.0, start_at - time.time()))  # every worker at once
        until = start_at + duration_s if duration_s else None
        each = await asyncio.gather(
            *(_person(base_url, f"Question {n}", rounds, until) for n in range(people))
        )
        return [answer for answers in each for answer in answers]

    return asyncio.run(everyone())


def _ready(_: int) -> None:
    """Nothing: a worker that ran it has imported what the load needs."""


def answers(
    base_url: str, people: int, *, rounds: int = 1, duration_s: float | None = None
) -> list[Heard]:
    """Every person asks at once, `rounds` times one after another (or again and again for
    `duration_s`); their answers, each person's in order."""
    shares = [people // WORKERS + (n < people % WORKERS) for n in range(WORKERS)]
    with multiprocessing.get_context("spawn").Pool(WORKERS) as pool:
        pool.map(_ready, range(WORKERS * 4), chunksize=1)
        start_at = time.time() + START_AFTER_S
        jobs = [(base_url, share, start_at, rounds, duration_s) for share in shares if share]
        return [answer for heard in pool.starmap(_worker, jobs) for answer in heard]


def model_alone(model_url: str) -> Heard:
    """The model's own stream, read straight from it: how fast it emits (a baseline)."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_read_model_alone, (model_url,))


def _read_model_alone(model_url: str) -> Heard:
    async def read() -> Heard:
        heard = Heard()
        start = time.perf_counter()
        async with (
            httpx.AsyncClient(timeout=TIMEOUT_S) as http,
            aconnect_sse(http, "POST", f"{model_url}/v1/chat/completions", json={}) as source,
        ):
            async for event in source.aiter_sse():
                if event.data == "[DONE]":
                    heard.ended = "done"
                    break
                if event.json()["choices"][0]["delta"].get("content"):
                    heard.first_token_s = heard.first_token_s or time.perf_counter() - start
                    heard.last_token_s = time.perf_counter() - start
                    heard.tokens += 1
        return heard

    return asyncio.run(read())


@dataclass
class Uploaded:
    """One upload, timed from sending its first byte."""

    stored_s: float  # the body is received and stored
    ready_s: float  # the document can be asked about (for the floor: stored)


def upload(base_url: str, path: Path, *, followed: bool = True) -> Uploaded:
    """`path` uploaded, from a process of its own. The response comes when the file is
    ready (DocChat: read and indexed; the floor: stored). `followed`: the server's
    workspace events also say when it was stored, as DocChat's do."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_upload, (base_url, path, followed))


def _upload(base_url: str, path: Path, followed: bool) -> Uploaded:
    async def stored(changes: EventSource, start: float) -> float:
        async for event in changes.aiter_sse():
            if event.event == "document" and event.json()["document"]["status"] != "ready":
                return time.perf_counter() - start
        raise AssertionError("the workspace's events ended")

    async def run() -> Uploaded:
        async with (
            httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT_S) as http,
            AsyncExitStack() as following,
        ):
            watching = None
            if followed:  # subscribed before the first byte goes
                (await http.get("/api/documents")).raise_for_status()  # the workspace's cookie
                changes = aconnect_sse(http, "GET", "/api/workspace/events")
                watching = await following.enter_async_context(changes)
            start = time.perf_counter()
            storing = asyncio.create_task(stored(watching, start)) if watching else None
            with path.open("rb") as file:  # httpx streams it in chunks
                sent = await http.post("/api/documents", files={"file": file})
            ready_s = time.perf_counter() - start
            assert sent.raise_for_status().json().get("status", "ready") == "ready", sent.text
            return Uploaded(await storing if storing else ready_s, ready_s)

    try:
        return asyncio.run(run())
    except Exception as exc:  # as one the pool can hand back: httpx's errors don't unpickle
        raise RuntimeError(f"{type(exc).__name__}: {exc}") from None


def questions_in_turn(base_url: str, questions: int) -> list[Heard]:
    """One person asks `questions`, each in a new chat once the last was answered, from
    this process (one person's client is light beside the server)."""

    async def in_turn() -> list[Heard]:
        async with httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT_S) as http:
            return [await ask_and_read(http, f"Question {n}") for n in range(questions)]

    return asyncio.run(in_turn())


@dataclass
class Chat:
    """A chat, with what opens it: its workspace's cookies."""

    id: str
    cookies: dict[str, str]


def chat_of(base_url: str, questions: int) -> Chat:
    """A new workspace's chat in which `questions` were asked and answered, in turn."""
    with httpx.Client(base_url=base_url, timeout=TIMEOUT_S) as http:
        session = http.post("/api/sessions", json={}).raise_for_status().json()
        for n in range(questions):
            url = f"/api/sessions/{session['id']}/messages"
            sent = http.post(url, json={"content": f"Question {n}"}).raise_for_status()
            with connect_sse(http, "GET", sent.json()["events_url"]) as source:
                ended = [e.event for e in source.iter_sse() if e.event in ("done", "error")]
            assert ended == ["done"], f"answer {n} ended {ended}"
        return Chat(session["id"], dict(http.cookies))


def page_loads_ms(base_url: str, chat: Chat, times: int) -> list[float]:
    """How long the chat's page took to arrive, opened `times` in turn."""
    with httpx.Client(base_url=base_url, cookies=chat.cookies, timeout=TIMEOUT_S) as http:
        took = []
        for _ in range(times):
            start = time.perf_counter()
            http.get(f"/c/{chat.id}").raise_for_status()
            took.append((time.perf_counter() - start) * 1000)
        return took


class Neighbour:
    """Someone who reads a chat (GET /api/sessions/{id}) again and again while told to,
    from a process of their own: each read REREAD_S after the last began, or as soon as
    it arrived if that took longer."""

    def __init__(self, line: Connection) -> None:
        self._line = line
        self.reads = 0  # made so far, told when they are done

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Reading, from as their first read starts until no read of theirs is in flight."""
        self._line.send("read")
        self._line.recv()
        try:
            yield
        finally:
            self._line.send("pause")
            self.reads = self._line.recv()


@contextmanager
def neighbour_of(base_url: str, chat: Chat) -> Iterator[Neighbour]:
    """A neighbour who reads `chat` when told, for as long as this lasts."""
    ours, theirs = multiprocessing.Pipe()
    spawn = multiprocessing.get_context("spawn")
    reader = spawn.Process(target=_neighbour, args=(base_url, chat, theirs), daemon=True)
    reader.start()
    try:
        yield Neighbour(ours)
    finally:
        ours.send("end")
        reader.join()


def _neighbour(base_url: str, chat: Chat, line: Connection) -> None:
    """Reads when told "read" (saying so as it starts), stops when told "pause" (saying how
    many reads so far, once none is in flight), ends when told "end"."""
    reads = 0
    with httpx.Client(base_url=base_url, cookies=chat.cookies, timeout=TIMEOUT_S) as http:

        def read() -> float:
            nonlocal reads
            began = time.monotonic()
            http.get(f"/api/sessions/{chat.id}").raise_for_status()
            reads += 1
            return began

        while line.recv() == "read":
            line.send(reads)
            began = read()
            while not line.poll(max(0.0, REREAD_S - (time.monotonic() - began))):
                began = read()
            line.recv()
            line.send(reads)
