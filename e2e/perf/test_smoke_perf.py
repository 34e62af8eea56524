"""The perf smoke (`./scripts/test -m smoke`, in CI): the few figures that catch a real
slowdown of streaming, each a ratio to a baseline measured in the same run, so that they
hold on a noisy machine. Servers as in test_streaming_perf.py."""

import statistics
from collections.abc import Callable

import pytest

from e2e.harness.content.file_factory import FileFactory
from e2e.harness.server.app_process import AppProcess
from e2e.perf import bare_fts5, load
from e2e.perf.load import Heard, all_done, answered_at_cost, tokens_per_s, ttft_ms
from e2e.perf.measure import PeakGrowth, cpu_s, in_turns
from e2e.perf.model_server import script
from e2e.perf.report import PerfReport, percentile

pytestmark = [pytest.mark.perf, pytest.mark.smoke]


def test_time_to_first_token(
    model: AppProcess, docchat: AppProcess, bare: AppProcess, perf: PerfReport
) -> None:
    """One person's questions, one after another: the p50 of 60, in 6 turns of 10 (each
    turn's first question warms up)."""
    script(model.url, tokens=5)

    def ttfts(server: AppProcess) -> list[float]:
        return ttft_ms(all_done(load.answers(server.url, 1, rounds=11))[1:])

    ours, floor = in_turns(lambda: ttfts(docchat), lambda: ttfts(bare), turns=6)
    perf.record(
        "smoke_ttft_p50_ms",
        statistics.median(ours),
        "ms",
        "60 questions, 6 turns",
        baseline=statistics.median(floor),
    )


def test_fifty_streams_at_once(
    model: AppProcess, docchat: AppProcess, bare: AppProcess, perf: PerfReport
) -> None:
    """Fifty people at once, 6 turns: the p95 of their 300 first tokens, and the server's
    CPU time per answer. On 2 cores shared with the model and the people, the latency
    swings with whatever else runs (each turn's ratio 0.95-4.35 in 8 runs): it catches
    answers waiting on one another (a lock, a blocking call). The CPU time is the steady
    guard against work added per answer (2.38-2.73 in 9 runs)."""
    script(model.url, tokens=20)
    load.answers(docchat.url, 5)  # warm: a first request's imports and caches
    load.answers(bare.url, 5)
    cpu = {docchat.pid: 0.0, bare.pid: 0.0}

    def ttfts(server: AppProcess) -> list[float]:
        before = cpu_s(server.pid)
        heard = all_done(load.answers(server.url, 50))
        cpu[server.pid] += cpu_s(server.pid) - before
        return ttft_ms(heard)

    ours, floor = in_turns(lambda: ttfts(docchat), lambda: ttfts(bare), turns=6)
    perf.record(
        "smoke_streams_50_ttft_p95_ms",
        percentile(ours, 0.95),
        "ms",
        "50 people, 6 turns",
        baseline=percentile(floor, 0.95),
    )
    perf.record(
        "smoke_streams_50_cpu_per_answer_ms",
        cpu[docchat.pid] / len(ours) * 1000,
        "ms",
        "50 people, 6 turns: the server's CPU time",
        baseline=cpu[bare.pid] / len(floor) * 1000,
    )


def test_a_neighbour_reading_long_markdown_answers(
    model: AppProcess, docchat: AppProcess, perf: PerfReport
) -> None:
    """One person reads a chat of ten long answers thick with Markdown (20,000 `[` each,
    slow to lay out) ten times a second; another's page loads and first tokens, against
    the same on the idle server, in turns: a chat's read costs what its rows cost."""
    script(model.url, tokens=100, filler="[" * 200)
    noisy = load.chat_of(docchat.url, 10)
    script(model.url, tokens=5)
    quiet = load.chat_of(docchat.url, 1)

    def page_loads() -> list[float]:
        return load.page_loads_ms(docchat.url, quiet, 100)

    def first_tokens() -> list[float]:
        return ttft_ms(all_done(load.questions_in_turn(docchat.url, 10)))

    with load.neighbour_of(docchat.url, noisy) as neighbour:

        def beside_the_reader(measure: Callable[[], list[float]]) -> Callable[[], list[float]]:
            def measured() -> list[float]:
                with neighbour.reading():
                    return measure()

            return measured

        pages, idle_pages = in_turns(beside_the_reader(page_loads), page_loads, turns=10)
        firsts, idle_firsts = in_turns(beside_the_reader(first_tokens), first_tokens, turns=10)
    beside = f"beside {neighbour.reads:,} reads of the neighbour's chat, against the idle server"
    perf.record(
        "smoke_neighbour_page_load_p50_ms",
        statistics.median(pages),
        "ms",
        f"{len(pages)} page loads, {beside}",
        baseline=statistics.median(idle_pages),
    )
    perf.record(
        "smoke_neighbour_ttft_p50_ms",
        statistics.median(firsts),
        "ms",
        f"{len(firsts)} questions, {beside}",
        baseline=statistics.median(idle_firsts),
    )


def test_a_long_answer(
    model: AppProcess, docchat: AppProcess, bare: AppProcess, perf: PerfReport
) -> None:
    """A 20,000-token answer: how fast it reaches its reader, what each token costs the
    server, against the floor's cost and against 2,000-token answers': linear, not
    quadratic. (Against answers much shorter, their own costs, a new chat and question
    each, would hide a cost that grows with the length.) The median of 3, in turns with
    the floor's: one answer's CPU time alone varied by a fifth from run to run."""

    _, short_us = answered_at_cost(docchat, model.url, 2_000, rounds=2)
    ours: list[tuple[Heard, float]] = []
    floor: list[tuple[Heard, float]] = []
    for _ in range(3):
        ours.append(answered_at_cost(docchat, model.url, 20_000))
        floor.append(answered_at_cost(bare, model.url, 20_000))
    long_us = statistics.median(us for _, us in ours)
    floor_us = statistics.median(us for _, us in floor)
    perf.record("smoke_cpu_per_token_us", long_us, "µs", "20,000-token answers", baseline=floor_us)
    perf.record(
        "smoke_cpu_per_token_us_long_vs_short",
        long_us,
        "µs",
        "20,000-token answers, against 2 of 2,000 tokens",
        baseline=short_us,
    )
    rate = statistics.median(tokens_per_s(heard) for heard, _ in ours)
    floor_rate = statistics.median(tokens_per_s(heard) for heard, _ in floor)
    perf.record("smoke_long_answer_tokens_per_s", rate, "tokens/s", baseline=floor_rate)


def test_a_fifty_megabyte_upload(
    docchat: AppProcess, bare: AppProcess, files: FileFactory, perf: PerfReport
) -> None:
    """A 50 MB text file: how fast DocChat stores it and makes it ready to ask about,
    against the floor storing it and against FTS5 indexing its passages with nothing else
    (bare_fts5.py); and how much DocChat's memory grows meanwhile, its reading process's
    included, against the file's size."""
    megabytes = 50
    document = files.large_text("upload.txt", megabytes)
    floor = load.upload(bare.url, document, followed=False)
    fts5_speed = megabytes / bare_fts5.measured(document)
    with PeakGrowth(docchat.pid) as memory:
        ours = load.upload(docchat.url, document)

    floor_speed = megabytes / floor.stored_s
    ready_speed = megabytes / ours.ready_s
    perf.record(
        "smoke_upload_50mb_stored_mb_per_s",
        megabytes / ours.stored_s,
        "MB/s",
        "sent → stored",
        baseline=floor_speed,
    )
    perf.record(
        "smoke_upload_50mb_ready_mb_per_s",
        ready_speed,
        "MB/s",
        "sent → ready (read, split, indexed), against the floor storing it",
        baseline=floor_speed,
    )
    perf.record(
        "smoke_upload_50mb_ready_vs_fts5_mb_per_s",
        ready_speed,
        "MB/s",
        "sent → ready, against FTS5 indexing the passages alone",
        baseline=fts5_speed,
    )
    perf.record(
        "smoke_upload_50mb_memory_growth_mb",
        memory.growth_mb,
        "MB",
        "the server's peak RSS growth and its reading process's, against the file's size",
        baseline=megabytes,
    )
