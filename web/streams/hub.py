"""Generation jobs run on the server, apart from any HTTP connection, and the event logs'
subscribers.

A job appends to its message's event log and wakes the subscribers, each of which
replays the log from where it was and then tails it. So a reload, a dropped
connection or a second tab never loses or repeats a token. A workspace's changes are
followed the same way, by every tab open on it.

A subscriber gets the log in batches: all that was new at each wake-up, which the SSE
layer writes as one chunk. A job stores the tokens of one event-loop turn at once, so
one wake-up, one read and one write to the socket carry them all (issue 19: writing
each event on its own cost the reader half its tokens/s). An empty batch means nothing
came for KEEPALIVE_S: the connection is kept alive, and one the client left is noticed.
"""

import asyncio
import functools
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any

from web.fault_points import fault_point
from web.storage import Database
from web.streams import events
from web.streams.events import Event

KEEPALIVE_S = 15.0  # as FastAPI's own SSE responses: well within proxies' idle timeouts
STOP = "stop:"  # what a process hears, before an answer's id, when it is to stop it


class StreamHub:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._jobs: dict[str, asyncio.Task[None]] = {}
        self._stop_requested: set[str] = set()
        self._signals: dict[str, asyncio.Event] = {}  # one per log someone follows
        self._followers: Counter[str] = Counter()
        self._closing = False
        self.subscribers = 0  # open subscriptions now
        self.subscriptions = 0  # opened since start, reconnections included
        self._idle = asyncio.Event()
        self._idle.set()
        self._stopping: set[asyncio.Task[bool]] = set()  # stops other processes asked for

    @property
    def live_jobs(self) -> int:
        return len(self._jobs)

    async def wait_idle(self) -> None:
        """Until no job runs and nobody is subscribed: nothing is held for anyone."""
        await self._idle.wait()

    def start(self, message_id: str, job: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(job, name=f"answer-{message_id}")
        self._jobs[message_id] = task
        self._note_activity()
        task.add_done_callback(lambda done: self._forget(message_id, done))

    def is_live(self, message_id: str) -> bool:
        return message_id in self._jobs

    def stop_requested(self, message_id: str) -> bool:
        return message_id in self._stop_requested

    def notify(self, message_id: str) -> None:
        if signal := self._signals.pop(message_id, None):
            signal.set()

    def wake_all(self) -> None:
        """Every follower reads its log again (what was written while nobody listened)."""
        for key in list(self._signals):
            self.notify(key)

    def heard(self, key: str) -> None:
        """From any process, this one included: a log was written to, or an answer is to
        stop (stopped here if it is written here)."""
        if not key.startswith(STOP):
            self.notify(key)
        else:
            task = asyncio.create_task(self.stop(key.removeprefix(STOP)))
            self._stopping.add(task)
            task.add_done_callback(self._stopping.discard)

    async def stop(self, message_id: str) -> bool:
        """Cancel the answer's job, if it runs here (it records what it had as `stopped`);
        whether it did."""
        task = self._jobs.get(message_id)
        if task is None:
            return False
        self._stop_requested.add(message_id)
        task.cancel()
        await asyncio.wait([task])
        return True

    def close_streams(self) -> None:
        """The server is stopping: end every subscription so its connection can close.

        Clients reconnect with Last-Event-ID and resume where they were.
        """
        self._closing = True
        self.wake_all()

    async def shutdown(self) -> None:
        tasks = list(self._jobs.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)

    @fault_point("stream.subscribing")
    @contextmanager
    def subscriber(self) -> Iterator[None]:
        """Counts one subscriber for as long as its request lasts.

        Kept apart from subscribe(): a generator abandoned mid-stream (the client went
        away) runs its `finally` only when garbage-collected, too late to count on.
        """
        self.subscribers += 1
        self.subscriptions += 1
        self._note_activity()
        try:
            yield
        finally:
            self.subscribers -= 1
            self._note_activity()

    async def subscribe(
        self, message_id: str, after: int, written_elsewhere: Callable[[], bool]
    ) -> AsyncIterator[list[Event]]:
        """The answer's log from `after` on, then new events as they come, until its last;
        or until nothing writes it, here or in another process (as `written_elsewhere`
        says), and its log has nothing new: it was deleted meanwhile. (Asked where nothing
        more can come, the stream is not opened: see answer_ended_at.)"""
        read = functools.partial(events.answers.after, self.db, message_id)
        being_written = functools.partial(self._being_written, message_id, written_elsewhere)
        async for batch in self._tail(message_id, read, after, being_written):
            yield batch

    def answer_ended_at(
        self, message_id: str, after: int, written_elsewhere: Callable[[], bool]
    ) -> bool:
        """Nothing past `after` is in the answer's log, nor ever will be: `after` is past
        its last event, or at it with nothing writing more."""
        # Asked first: an answer whose writer ends between the two reads then has its
        # last event in the log (read second), not missed as "nothing writes it".
        writing = self._being_written(message_id, written_elsewhere)
        last = events.answers.last_seq(self.db, message_id)
        return after > last or (after == last and not writing)

    def _being_written(self, message_id: str, written_elsewhere: Callable[[], bool]) -> bool:
        return self.is_live(message_id) or written_elsewhere()

    def workspace_ended_at(self, workspace_id: str, after: int) -> bool:
        """`after` is past the workspace's last change: the numbers a client has are not
        this log's (its data was replaced), and waiting would skip the changes between."""
        return after > events.changes.last_seq(self.db, workspace_id)

    @fault_point("workspace.following")
    async def follow_workspace(self, workspace_id: str, after: int) -> AsyncIterator[list[Event]]:
        """The workspace's changes from `after` on, then each as it comes, for as long as
        the subscriber stays."""
        read = functools.partial(events.changes.after, self.db, workspace_id)
        async for batch in self._tail(_workspace_key(workspace_id), read, after, lambda: True):
            yield batch

    def wake_workspace(self, workspace_id: str) -> None:
        """Changes were recorded for this workspace: its followers read them."""
        self.notify(_workspace_key(workspace_id))

    async def until(self, workspace_id: str, done: Callable[[], bool]) -> None:
        """Until `done()`: asked now, and again each time the workspace changes."""
        key = _workspace_key(workspace_id)
        with self._following(key):
            while True:
                signal = self._signals.setdefault(key, asyncio.Event())  # before asking
                if done():
                    return
                await signal.wait()

    @contextmanager
    def _following(self, key: str) -> Iterator[None]:
        """Someone waits on the log's signal for as long as this lasts."""
        self._followers[key] += 1
        try:
            yield
        finally:
            self._followers[key] -= 1
            if not self._followers[key]:  # nobody waits on its signal any more
                del self._followers[key]
                self._signals.pop(key, None)

    async def _tail(
        self, key: str, read: Callable[[int], list[Event]], after: int, may_grow: Callable[[], bool]
    ) -> AsyncIterator[list[Event]]:
        with self._following(key):
            while not self._closing:
                # Both taken before reading, so an event appended meanwhile is not missed.
                signal = self._signals.setdefault(key, asyncio.Event())
                growing = may_grow()
                if batch := _through_terminal(read(after)):
                    yield batch
                    after = batch[-1].seq
                    if batch[-1].is_terminal:
                        return
                if not growing:  # deleted through another process as it was written
                    return  # pragma: no cover (--processes 2 runs it, the coverage lane not)
                try:
                    async with asyncio.timeout(KEEPALIVE_S):
                        await signal.wait()
                except TimeoutError:
                    yield []

    def _forget(self, message_id: str, task: asyncio.Task[None]) -> None:
        # Else a Continue started a newer job between this one's end and this callback.
        if self._jobs.get(message_id) is task:  # pragma: no branch (too brief a moment to test)
            del self._jobs[message_id]
            self._stop_requested.discard(message_id)
        self.notify(message_id)
        self._note_activity()

    def _note_activity(self) -> None:
        if self._jobs or self.subscribers:
            self._idle.clear()
        else:
            self._idle.set()


def _through_terminal(batch: list[Event]) -> list[Event]:
    """Up to an answer's last event: nothing is ever sent past it."""
    end = next((i + 1 for i, event in enumerate(batch) if event.is_terminal), len(batch))
    return batch[:end]


def _workspace_key(workspace_id: str) -> str:
    return f"workspace:{workspace_id}"
