"""Extraction in a process of its own, bounded in time, memory, pages and text.

Parsers are untrusted: a crafted file can make one loop, recurse, or inflate gigabytes of
XML. Run in the server, that would stall every answer and could exhaust its memory. In a
child process it can't: the child has an address-space limit (RLIMIT_AS), is killed when
its time is up, and checks the page and text caps as it reads. Whatever happens in it
comes back as a plain reason; the server only waits on a pipe.

Children are forked from a fork server, a small clean process started once, not from the
server itself: forking a process that runs threads (uvicorn's, the indexing worker's) can
copy a lock some other thread held, and the child would hang on it.
"""

import multiprocessing
import resource
import threading
from dataclasses import dataclass
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from pathlib import Path

from web.documents.extract import ExtractionError, Limits, Page, extract_pages

_CONTEXT = multiprocessing.get_context("forkserver")
# Imported once, there, not in each child: the parsers, and the main module (which a
# child would otherwise run again to set itself up).
_CONTEXT.set_forkserver_preload(["__main__", "web.documents.bounded"])
MB = 1024 * 1024
EXIT_GRACE_S = 1

UNREADABLE = (
    "DocChat could not read this file: it is damaged or built in a way DocChat does not "
    "understand. Try saving or exporting it again."
)


@dataclass(frozen=True)
class Bounds:
    seconds: float
    memory_mb: int
    limits: Limits


class ParserFailure(Exception):
    """What went wrong inside the parser, for the log (the person gets the reason)."""


@dataclass
class _Failed:
    reason: str  # for the person
    detail: str  # for the log


def warm_up() -> None:
    """Start the fork server now, in the background: it takes a moment to import the
    parsers, which the first upload should not have to wait for."""
    threading.Thread(target=forkserver.ensure_running, name="forkserver", daemon=True).start()


def extract_bounded(path: Path, content_type: str, bounds: Bounds) -> list[Page]:
    """The document's pages, or ExtractionError saying why not (and which limit it hit)."""
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(
        target=_extract, args=(sender, path, content_type, bounds), daemon=True
    )
    child.start()
    sender.close()
    try:
        if receiver.poll(bounds.seconds):
            outcome = _receive(receiver)
            # It has answered and is exiting: let it finish (it may have buffers to flush).
            child.join(EXIT_GRACE_S)
        else:
            outcome = _over_time(bounds)
    finally:
        child.kill()  # one still running is stuck or over its time
        child.join()
        receiver.close()
    if isinstance(outcome, _Failed):
        detail = ParserFailure(outcome.detail) if outcome.detail else None
        raise ExtractionError(outcome.reason) from detail
    return outcome


def _over_time(bounds: Bounds) -> _Failed:
    seconds = f"{bounds.seconds:g} second{'s' if bounds.seconds != 1 else ''}"
    return _Failed(
        f"Reading this file took longer than {seconds}, the most DocChat allows. "
        "If it is very large, split it into smaller files.",
        "time limit",
    )


def _receive(receiver: Connection) -> "list[Page] | _Failed":
    try:
        return receiver.recv()
    except EOFError:  # it died without a word: the kernel's OOM killer, or a crash
        return _Failed(UNREADABLE, "the extraction process died")


def _extract(sender: Connection, path: Path, content_type: str, bounds: Bounds) -> None:
    """In the child: set the memory bound, read the file, send pages or a reason."""
    memory = bounds.memory_mb * MB
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        outcome: list[Page] | _Failed = extract_pages(path, content_type, bounds.limits)
    except ExtractionError as exc:  # the reason says it all, and the cause, if any, more
        outcome = _Failed(str(exc), repr(exc.__cause__) if exc.__cause__ else "")
    except MemoryError:
        outcome = _Failed(
            f"Reading this file needs more than {bounds.memory_mb:,} MB of memory, the most "
            "DocChat allows.",
            "memory limit",
        )
    except RecursionError as exc:
        outcome = _Failed(
            "DocChat could not read this file: it nests too deeply to read safely.", repr(exc)
        )
    except Exception as exc:  # the net: any parser failure is the file's, not the server's
        outcome = _Failed(UNREADABLE, repr(exc))
    sender.send(outcome)
    sender.close()
