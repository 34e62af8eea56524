"""Across the test's thread and the server's: what the app did, for a test to wait for
(`Signal`), and a step of the app held where it starts until the test lets it go (`Hold`)."""

import asyncio
import functools
import threading
from collections.abc import Awaitable, Callable
from typing import Any

WAIT_TIMEOUT_S = 10
# A step held in a server thread waits at most this long: a failed test can't leave the
# thread stuck.
THREAD_HOLD_TIMEOUT_S = 30


class Signal:
    """Counts how often it was set, so a test can wait for the n-th time too."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._count = 0
        self._changed = threading.Condition()

    def set(self) -> None:
        with self._changed:
            self._count += 1
            self._changed.notify_all()

    def is_set(self) -> bool:
        return self._count > 0

    def expect(self, times: int = 1, timeout_s: float = WAIT_TIMEOUT_S) -> None:
        with self._changed:
            came = self._changed.wait_for(lambda: self._count >= times, timeout_s)
        assert came, f"Waited {timeout_s:g}s: {self.what} came {self._count} of {times} times."


class Hold:
    """A step of the app held where it starts until the test releases it: a coroutine on an
    event loop (the app's, the model mock's) or a function in a worker thread.

    Every arrival is held (several uploads at once, say), one release lets them all go,
    and any arriving later passes.
    """

    def __init__(self, what: str) -> None:
        self.reached = Signal(f"the server reaching {what}")
        self.finished = Signal(f"{what} finishing")
        self._released = threading.Event()
        self._gates: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []

    async def wait(self) -> None:
        """On an event loop: until released (at once, if it was)."""
        gate = asyncio.Event()
        # Listed before the check: release() may come any time.
        self._gates.append((asyncio.get_running_loop(), gate))
        if not self._released.is_set():
            self.reached.set()
            await gate.wait()

    def wait_in_thread(self) -> None:
        if not self._released.is_set():
            self.reached.set()
            self._released.wait(THREAD_HOLD_TIMEOUT_S)

    def wrap(self, step: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        """`step`, a coroutine function, held at each call."""

        @functools.wraps(step)
        async def held(*args: Any, **kwargs: Any) -> Any:
            try:
                await self.wait()
                return await step(*args, **kwargs)
            finally:
                self.finished.set()

        return held

    def wrap_in_thread(self, step: Callable[..., Any], after: int = 0) -> Callable[..., Any]:
        """`step`, a function a worker thread runs, held from its `after`-th call on."""
        calls = 0

        @functools.wraps(step)
        def held(*args: Any, **kwargs: Any) -> Any:
            nonlocal calls
            calls += 1
            if calls > after:
                self.wait_in_thread()
            return step(*args, **kwargs)

        return held

    def release(self) -> None:
        self._released.set()
        for loop, gate in list(self._gates):
            if not loop.is_closed():  # a gate of a server since restarted holds nothing
                loop.call_soon_threadsafe(gate.set)

    def release_first(self) -> None:
        """Lets the earliest arrival held on an event loop go, and only it."""
        loop, gate = self._gates.pop(0)
        loop.call_soon_threadsafe(gate.set)

    def expect_reached(self, times: int = 1) -> None:
        self.reached.expect(times)

    def expect_finished(self) -> None:
        """The step has returned or raised: whatever it cleans up is cleaned up."""
        self.finished.expect()
