"""Something the app did, across threads, that a test waits for (with a timeout)."""

import threading

WAIT_TIMEOUT_S = 10


class Signal:
    def __init__(self, what: str) -> None:
        self.what = what
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def expect(self) -> None:
        came = self._event.wait(WAIT_TIMEOUT_S)
        assert came, f"Waited {WAIT_TIMEOUT_S}s: {self.what} never came."
