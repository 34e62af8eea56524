"""Extraction in a process of its own (web/isolation.py), bounded in time, memory, pages
and text, its text passed on a block at a time.

Parsers are untrusted: a crafted file can make one loop, recurse, or inflate gigabytes of
XML. Its child has an address-space limit (RLIMIT_AS) besides its time, and checks the
page and text caps as it reads. Whatever happens in it comes back as a plain reason.
"""

import resource
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from web.documents.chunking import Block
from web.documents.extract import ExtractionError, Limits, extract_blocks
from web.isolation import Died, OverTime, stream_isolated

MB = 1024 * 1024
# A parser that failed having held this much of its address-space bound ran out of it.
NEAR_BOUND = 0.9

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


def extract_bounded(path: Path, content_type: str, bounds: Bounds) -> Generator[Block]:
    """The document's text, block by block, or ExtractionError saying why not (and which
    limit it hit), perhaps after some blocks. Close it to stop the reading early."""
    blocks = stream_isolated(_extract, (path, content_type, bounds), bounds.seconds)
    try:
        for outcome in blocks:
            if isinstance(outcome, _Failed):
                _fail(outcome)
            yield outcome
    except OverTime:
        _fail(_over_time(bounds))
    except Died:
        _fail(_Failed(UNREADABLE, "the extraction process died"))
    finally:
        blocks.close()


def _fail(outcome: _Failed) -> NoReturn:
    detail = ParserFailure(outcome.detail) if outcome.detail else None
    raise ExtractionError(outcome.reason) from detail


def _over_time(bounds: Bounds) -> _Failed:
    seconds = f"{bounds.seconds:g} second{'s' if bounds.seconds != 1 else ''}"
    return _Failed(
        f"Reading this file took longer than {seconds}, the most DocChat allows. "
        "If it is very large, split it into smaller files.",
        "time limit",
    )


def _extract(path: Path, content_type: str, bounds: Bounds) -> Iterator[Block | _Failed]:
    """In the child: set the memory bound, read the file: its blocks, then a reason if
    it could not read it all."""
    memory = bounds.memory_mb * MB
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        yield from extract_blocks(path, content_type, bounds.limits)
    except ExtractionError as exc:  # the reason says it all, and the cause, if any, more
        yield _Failed(str(exc), repr(exc.__cause__) if exc.__cause__ else "")
    except MemoryError:
        yield _out_of_memory(bounds)
    except RecursionError as exc:
        yield _Failed(
            "DocChat could not read this file: it nests too deeply to read safely.", repr(exc)
        )
    except Exception as exc:  # the net: any parser failure is the file's, not the server's
        # A parser in C out of memory may say only that it failed (lxml: "unknown error").
        at_bound = _peak_address_space() >= NEAR_BOUND * memory
        yield _out_of_memory(bounds, repr(exc)) if at_bound else _Failed(UNREADABLE, repr(exc))


def _out_of_memory(bounds: Bounds, detail: str = "memory limit") -> _Failed:
    return _Failed(
        f"Reading this file needs more than {bounds.memory_mb:,} MB of memory, the most "
        "DocChat allows.",
        detail,
    )


def _peak_address_space() -> int:
    """The most address space this process has held, in bytes (Linux)."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmPeak:", 1)[1].split()[0]) * 1024
