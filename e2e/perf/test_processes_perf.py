"""DocChat as two processes on PostgreSQL (DOCCHAT_WORKERS=2) beside one on SQLite, each
as `python -m web` asking the same model stand-in, in the same run (issue 20). The
PostgreSQL server is the suite's own, on the same machine, with fsync off (SQLite keeps
its WAL with synchronous=NORMAL): what is compared is the serving, not the disk."""

import pytest

from e2e.harness.server.app_process import AppProcess
from e2e.perf import load
from e2e.perf.load import all_done, ttft_ms
from e2e.perf.model_server import script
from e2e.perf.report import PerfReport, percentile

pytestmark = pytest.mark.perf


def test_two_processes_on_postgresql_beside_one_on_sqlite(
    model: AppProcess, docchat: AppProcess, docchat_on_postgresql: AppProcess, perf: PerfReport
) -> None:
    script(model.url, tokens=20)
    for app in (docchat, docchat_on_postgresql):
        load.answers(app.url, 10)  # warm: a first request's imports and caches

    alone = {
        app: all_done(load.answers(app.url, 1, rounds=20))
        for app in (docchat, docchat_on_postgresql)
    }
    crowd = {app: load.answers(app.url, 200) for app in (docchat, docchat_on_postgresql)}

    perf.record(
        "postgresql_2_ttft_p50_ms",
        percentile(ttft_ms(alone[docchat_on_postgresql]), 0.5),
        "ms",
        "one person asking 20 times in a row; baseline: one process on SQLite",
        baseline=percentile(ttft_ms(alone[docchat]), 0.5),
    )
    perf.record(
        "postgresql_2_streams_200_errors",
        sum(not heard.ok for heard in crowd[docchat_on_postgresql]),
        "streams",
    )
    perf.record(
        "postgresql_2_streams_200_ttft_p95_ms",
        percentile(ttft_ms(all_done(crowd[docchat_on_postgresql])), 0.95),
        "ms",
        "200 people at once; baseline: one process on SQLite",
        baseline=percentile(ttft_ms(all_done(crowd[docchat])), 0.95),
    )
