"""Reading a document in a process of its own (web/isolation.py), bounded in time, memory,
pages and text: the process extracts its text a block at a time and splits it into
passages, which it passes on a batch at a time, while the server indexes the last batch.

Parsers are untrusted: a crafted file can make one loop, recurse, or inflate gigabytes of
XML. Its child has an address-space limit (RLIMIT_AS) besides its time, and checks the
page and text caps as it reads. Whatever happens in it comes back as a plain reason.
"""

import itertools
import resource
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from web.documents.chunking import Block, Chunk, chunk_blocks
from web.documents.extract import ExtractionError, Limits, extract_blocks
from web.isolation import Died, OverTime, stream_isolated

MB = 1024 * 1024
# A parser that failed having held this much of its address-space bound ran out of it.
NEAR_BOUND = 0.9
BATCH = 200  # passages a batch: ~25 ms of FTS5 indexing, a transaction of its own

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


@dataclass(frozen=True)
class Split:
    """How a document's text is cut into passages (chunking.split_blocks)."""

    size: int
    overlap: int


@dataclass
class Passages:
    """The next batch of a document's passages (the last batch may be empty), and the
    number of the last page read so far (None for a format without pages)."""

    chunks: list[Chunk]
    last_page: int | None


@dataclass
class _Failed:
    reason: str  # for the person
    detail: str  # for the log


def read_passages(
    path: Path, content_type: str, bounds: Bounds, split: Split
) -> Generator[Passages]:
    """The document's passages, batch by batch, or ExtractionError saying why not (and
    which limit it hit), perhaps after some batches. Close it to stop the reading early."""
    batches = stream_isolated(_read, (path, content_type, bounds, split), bounds.seconds)
    failed = None
    try:
        for outcome in batches:
            if isinstance(outcome, _Failed):
                failed = outcome  # its last word: the process is left to end by itself
            else:
                yield outcome
    except OverTime:
        _fail(_over_time(bounds))
    except Died:
        _fail(_Failed(UNREADABLE, "the extraction process died"))
    finally:
        batches.close()
    if failed:
        _fail(failed)


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


def _read(
    path: Path, content_type: str, bounds: Bounds, split: Split
) -> Iterator[Passages | _Failed]:
    """In the child: set the memory bound, read the file: its passages, then a reason if
    it could not read it all."""
    memory = bounds.memory_mb * MB
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        yield from _batches(extract_blocks(path, content_type, bounds.limits), split)
    except ExtractionError as exc:  # the reason says it all, and the cause, if any, more
        yield _Failed(str(exc), repr(exc.__cause__) if exc.__cause__ else "")
    except MemoryError:  # pragma: no cover (a test runs it; its process, full, can't save that)
        yield _out_of_memory(bounds)
    except RecursionError as exc:
        yield _Failed(
            "DocChat could not read this file: it nests too deeply to read safely.", repr(exc)
        )
    except Exception as exc:  # the net: any parser failure is the file's, not the server's
        # A parser in C out of memory may say only that it failed (lxml: "unknown error").
        at_bound = _peak_address_space() >= NEAR_BOUND * memory
        yield _out_of_memory(bounds, repr(exc)) if at_bound else _Failed(UNREADABLE, repr(exc))


def _batches(blocks: Iterator[Block], split: Split) -> Iterator[Passages]:
    last_page = None

    def counted() -> Iterator[Block]:
        nonlocal last_page
        for block in blocks:
            last_page = block.page
            yield block

    chunks = chunk_blocks(counted(), split.size, split.overlap)
    while batch := list(itertools.islice(chunks, BATCH)):
        yield Passages(batch, last_page)
    yield Passages([], last_page)  # the pages read after the last passage count too


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
