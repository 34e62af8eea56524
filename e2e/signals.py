"""Something the app did, across threads, that a test waits for (with a timeout)."""

import threading

WAIT_TIMEOUT_S = 10


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
