"""Measuring tools for benchmarks: a process's memory and CPU time (this one's, or a
server's by its pid), the disk's raw speed."""

import os
import statistics
import threading
import time
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
