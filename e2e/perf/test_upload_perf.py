"""Uploads of 1, 10 and 50 MB through the API and the UI: speed against the disk's, and memory."""

import subprocess
import time

import pytest

from e2e.harness.content.file_factory import FileFactory
from e2e.harness.server.faults import Faults
from e2e.harness.server.live_server import LiveServer
from e2e.perf.measure import disk_write_mb_per_s, peak_rss_mb, reset_peak_rss
from e2e.perf.report import PerfReport

pytestmark = pytest.mark.perf
SIZES_MB = (1, 10, 50)


@pytest.fixture(scope="module")
def disk_speed(tmp_path_factory: pytest.TempPathFactory, perf: PerfReport) -> float:
    """The machine's raw write speed, measured in the same run as the uploads."""
    speed = disk_write_mb_per_s(tmp_path_factory.mktemp("disk"))
    perf.record("disk_write_mb_per_s", speed, "MB/s", "fsync'd, for reference")
    return speed


@pytest.mark.parametrize("megabytes", SIZES_MB)
def test_upload_through_the_api(
    live_server: LiveServer,
    files: FileFactory,
    faults: Faults,
    perf: PerfReport,
    disk_speed: float,
    megabytes: int,
) -> None:
    """curl sends the file (another process, so its memory is not counted here)."""
    document = files.large_text(f"api-{megabytes}.txt", megabytes)
    processing = faults.hold_processing()
    base = reset_peak_rss()
    start = time.perf_counter()
    curl = subprocess.Popen(
        [
            "curl",
            "-sf",
            "-o",
            "/dev/null",
            "-F",
            f"file=@{document}",
            f"{live_server.url}/api/documents",
        ]
    )
    processing.expect_reached()  # the body is stored; processing starts now
    received_s = time.perf_counter() - start
    receive_growth = peak_rss_mb() - base
    processing.release()
    assert curl.wait(timeout=120) == 0
    total_s = time.perf_counter() - start

    perf.record(f"upload_api_{megabytes}mb_receive_mb_per_s", megabytes / received_s, "MB/s")
    perf.record(
        f"upload_api_{megabytes}mb_receive_vs_disk",
        megabytes / received_s / disk_speed,
        "of disk speed",
        "receive throughput ÷ raw disk write speed",
    )
    perf.record(
        f"upload_api_{megabytes}mb_receive_memory_growth_mb",
        receive_growth,
        "MB",
        "peak RSS growth while the body streams to disk",
    )
    perf.record(
        f"upload_api_{megabytes}mb_until_ready_s", total_s, "s", "received, extracted, indexed"
    )


@pytest.mark.parametrize("megabytes", SIZES_MB)
def test_upload_through_the_ui(app, files: FileFactory, perf: PerfReport, megabytes: int) -> None:
    document = files.large_text(f"ui-{megabytes}.txt", megabytes)
    base = reset_peak_rss()
    start = time.perf_counter()

    app.documents.upload(document)
    app.documents.row(document.name).expect_ready(timeout_s=120)

    elapsed = time.perf_counter() - start
    perf.record(f"upload_ui_{megabytes}mb_until_ready_s", elapsed, "s")
    perf.record(
        f"upload_ui_{megabytes}mb_memory_growth_mb",
        peak_rss_mb() - base,
        "MB",
        "whole process, indexing included",
    )
