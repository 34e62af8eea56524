"""Work that could take too long, or take the server down, done in a process of its own.

A document's parser and an answer's Markdown run on untrusted input: crafted, either can
loop, recurse or take seconds of CPU. In the server that would stall every request. In a
child it can't: the child is killed when its time is up, and the server only waits on a
pipe (in a thread, off the event loop, where it is called from async code).

Children are forked from a fork server, a small clean process started once, not from the
server itself: forking a process that runs threads (uvicorn's, the indexing worker's) can
copy a lock some other thread held, and the child would hang on it.
"""

import multiprocessing
import threading
import time
from collections.abc import Callable, Generator, Iterator
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar, cast

from web.fault_points import fault_point

_CONTEXT = multiprocessing.get_context("forkserver")
# Imported once, there, not in each child: the work's modules, and the main module (which
# a child would otherwise run again to set itself up).
_CONTEXT.set_forkserver_preload(
    ["__main__", "web.documents.limited_extraction", "web.chat.display"]
)
EXIT_GRACE_S = 1
T = TypeVar("T")


class OverTime(Exception):
    """The work was still running when its time was up: it was killed."""


class Died(Exception):
    """The child ended without an answer: the kernel's OOM killer, or a crash."""


def warm_up() -> None:
    """Start the fork server now, in the background: it takes a moment to import the
    modules, which the first upload or answer should not have to wait for."""
    threading.Thread(target=forkserver.ensure_running, name="forkserver", daemon=True).start()


def run_isolated(work: Callable[..., T], args: tuple[Any, ...], seconds: float) -> T:
    """`work(*args)`, run in a child process given `seconds` to answer (`work` is named
    by its module, so it must be a module's top-level function)."""
    [outcome] = stream_isolated(_once, (work, args), seconds)
    return cast(T, outcome)


def stream_isolated(
    work: Callable[..., Iterator[T]], args: tuple[Any, ...], seconds: float
) -> Generator[T]:
    """What `work(*args)` yields, item by item as the child sends it, the child given
    `seconds` in all to send them. A slow reader holds the child back (the pipe fills);
    the time it spends so is not counted. Close the iterator to stop the child early."""
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    child = _child(_send_all, (sender, work, args))
    child.start()
    sender.close()
    left = seconds
    try:
        while True:
            asked = time.monotonic()
            if not receiver.poll(left):
                raise OverTime(f"still running after {seconds:g} s")
            try:
                item = receiver.recv()
            except EOFError:
                raise Died("its process ended without an answer") from None
            left -= time.monotonic() - asked
            if isinstance(item, _End):
                # It has said all and is exiting: let it finish (it may flush buffers).
                child.join(EXIT_GRACE_S)
                return
            yield cast(T, item)  # what `work` yielded, through the pipe
    finally:
        child.kill()  # one still running is stuck, over its time, or no longer wanted
        child.join()
        receiver.close()


@fault_point("isolated.child")
def _child(target: Callable[..., None], args: tuple[Any, ...]) -> BaseProcess:
    """A child process that will run `target(*args)`, not started yet."""
    return _CONTEXT.Process(target=target, args=args, daemon=True)


class _End:
    """The child has sent all `work` yielded."""


def _send_all(
    sender: Connection, work: Callable[..., Iterator[Any]], args: tuple[Any, ...]
) -> None:
    for item in work(*args):
        sender.send(item)
    sender.send(_End())
    sender.close()


def _once(work: Callable[..., Any], args: tuple[Any, ...]) -> Iterator[Any]:
    yield work(*args)
