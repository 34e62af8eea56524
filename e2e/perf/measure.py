"""Measuring tools for benchmarks: a process's memory and CPU time (this one's, or a
server's by its pid), the disk's raw speed, samples taken in turns with their baseline."""

import os
import statistics
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

Pid = int | str  # a process id, or "self"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def rss_mb(pid: Pid = "self") -> float:
    return _status(pid, "VmRSS")


def reset_peak_rss(pid: Pid = "self") -> float:
    """Start a new peak-memory window; returns the current RSS (Linux)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")
    return rss_mb(pid)


def peak_rss_mb(pid: Pid = "self") -> float:
    return _status(pid, "VmHWM")


def cpu_s(pid: Pid = "self") -> float:
    """CPU time the process has used so far, user and system."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def _status(pid: Pid, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def disk_write_mb_per_s(folder: Path, megabytes: int = 50) -> float:
    """Raw sequential write with fsync, as the blob store writes."""
    block = os.urandom(1024 * 1024)
    path = folder / "disk-speed.bin"
    start = time.perf_counter()
    with open(path, "wb") as f:
        for _ in range(megabytes):
            f.write(block)
        f.flush()
        os.fsync(f.fileno())
    elapsed = time.perf_counter() - start
    path.unlink()
    return megabytes / elapsed


class PeakGrowth:
    """How much a server's memory grew at its peak while this was open, in MB: its own
    peak RSS growth, plus that of each process forked under it meanwhile (a document's
    reader). The kernel keeps each process's peak (VmHWM); new processes are looked for
    every few ms, and a child's growth counts from its RSS then, so what it takes in its
    first few ms is missed (a block or two of a file: the reader had a block at a time)."""

    def __init__(self, pid: int, every_s: float = 0.005) -> None:
        self.pid = pid
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="peak-growth", daemon=True)
        self._first: dict[int, float] = {}  # a child's pid: its RSS when first seen
        self._peaks: dict[int, float] = {}

    def __enter__(self) -> "PeakGrowth":
        self._before = reset_peak_rss(self.pid)
        self._there = descendants(self.pid)  # the fork server, started with the server
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self._peak = peak_rss_mb(self.pid)

    @property
    def growth_mb(self) -> float:
        forked = sum(peak - self._first[child] for child, peak in self._peaks.items())
        return self._peak - self._before + forked

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):  # the sampling interval, not a wait-for
            for child in descendants(self.pid) - self._there:
                with suppress(OSError, LookupError):  # it ended meanwhile
                    self._first.setdefault(child, rss_mb(child))
                    self._peaks[child] = peak_rss_mb(child)


def descendants(pid: int) -> set[int]:
    """The processes `pid` started, and theirs (Linux)."""
    found: set[int] = set()
    with suppress(OSError):  # it ended meanwhile
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in map(int, (task / "children").read_text().split()):
                found |= {child} | descendants(child)
    return found


class MemorySampler:
    """A process's RSS once a second on a background thread, for a chart and a trend."""

    def __init__(self, pid: Pid = "self", every_s: float = 1.0) -> None:
        self.pid = pid
        self.every_s = every_s
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)

    def __enter__(self) -> "MemorySampler":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        start = time.perf_counter()
        while not self._stop.wait(self.every_s):  # the sampling interval, not a wait-for
            self.samples.append((time.perf_counter() - start, rss_mb(self.pid)))


def slope_per_minute(samples: list[tuple[float, float]]) -> float:
    """Least-squares trend of (seconds, MB), in MB per minute."""
    seconds, megabytes = zip(*samples, strict=True)
    return 60 * statistics.linear_regression(seconds, megabytes).slope


def in_turns(
    ours: Callable[[], list[float]], baseline: Callable[[], list[float]], turns: int = 3
) -> tuple[list[float], list[float]]:
    """The samples of a figure and of its baseline, measured in turns: a moment of a noisy
    machine weighs on both, not on one (latencies vary the most)."""
    samples: list[float] = []
    floor: list[float] = []
    for _ in range(turns):
        samples += ours()
        floor += baseline()
    return samples, floor
