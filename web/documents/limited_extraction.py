"""Extraction in a process of its own (web/isolation.py), bounded in time, memory, pages
and text.

Parsers are untrusted: a crafted file can make one loop, recurse, or inflate gigabytes of
XML. Its child has an address-space limit (RLIMIT_AS) besides its time, and checks the
page and text caps as it reads. Whatever happens in it comes back as a plain reason.
"""

import resource
from dataclasses import dataclass
from pathlib import Path

from web.documents.extract import ExtractionError, Limits, Page, extract_pages
from web.isolation import Died, OverTime, run_isolated

MB = 1024 * 1024

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


def extract_bounded(path: Path, content_type: str, bounds: Bounds) -> list[Page]:
    """The document's pages, or ExtractionError saying why not (and which limit it hit)."""
    try:
        outcome = run_isolated(_extract, (path, content_type, bounds), bounds.seconds)
    except OverTime:
        outcome = _over_time(bounds)
    except Died:
        outcome = _Failed(UNREADABLE, "the extraction process died")
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


def _extract(path: Path, content_type: str, bounds: Bounds) -> "list[Page] | _Failed":
    """In the child: set the memory bound, read the file: its pages, or a reason."""
    memory = bounds.memory_mb * MB
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        return extract_pages(path, content_type, bounds.limits)
    except ExtractionError as exc:  # the reason says it all, and the cause, if any, more
        return _Failed(str(exc), repr(exc.__cause__) if exc.__cause__ else "")
    except MemoryError:
        return _Failed(
            f"Reading this file needs more than {bounds.memory_mb:,} MB of memory, the most "
            "DocChat allows.",
            "memory limit",
        )
    except RecursionError as exc:
        return _Failed(
            "DocChat could not read this file: it nests too deeply to read safely.", repr(exc)
        )
    except Exception as exc:  # the net: any parser failure is the file's, not the server's
        return _Failed(UNREADABLE, repr(exc))
