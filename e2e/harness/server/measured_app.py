"""`python -m web`, measured: what AppProcess runs instead while the suite measures coverage.

A crash test ends the app with SIGKILL, and coverage.py saves its data only when a
process exits. So, before the kill, AppProcess sends SIGUSR1: this saves what the
process has run so far and says so on stderr, and the kill follows. Nothing of the app
changes: the data goes to coverage's own files, and `web` runs exactly as `-m` runs it.
"""

import runpy
import signal
import sys
from types import FrameType

import coverage

SAVED = "coverage: data saved"


def _save(_signum: int, _frame: FrameType | None) -> None:
    if measured := coverage.Coverage.current():
        measured.save()
    print(SAVED, file=sys.stderr, flush=True)


if __name__ == "__main__":
    signal.signal(signal.SIGUSR1, _save)
    runpy.run_module("web", run_name="__main__", alter_sys=True)
