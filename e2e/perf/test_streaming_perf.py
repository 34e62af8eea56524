"""Streaming, measured as users meet it: DocChat as `python -m web`, the model's stand-in
and the floor (e2e/perf/bare_sse.py) each a server process of its own, the people in
processes of their own (e2e/perf/load.py). Every figure stands beside the floor's, or the
model's own, measured in the same run."""

import pytest

from e2e.harness.server.app_process import AppProcess
from e2e.perf import load
from e2e.perf.load import Heard, all_done, answered_at_cost, tokens_per_s, ttft_ms
from e2e.perf.measure import MemorySampler, in_turns, slope_per_minute
from e2e.perf.model_server import script
from e2e.perf.report import PerfReport, percentile

pytestmark = pytest.mark.perf


def test_two_hundred_people_streaming_at_once(
    model: AppProcess, docchat: AppProcess, bare: AppProcess, perf: PerfReport
) -> None:
    script(model.url, tokens=20)
    load.answers(docchat.url, 10)  # warm: a first request's imports and caches
    load.answers(bare.url, 10)
    ours: list[Heard] = []

    def docchat_ttfts() -> list[float]:
        heard = load.answers(docchat.url, 200)
        ours.extend(heard)
        return ttft_ms([h for h in heard if h.ok])

    # In turns: one sample of each came to 0.8-3.1x in 6 runs, with the machine's moments.
    ttfts, floor = in_turns(docchat_ttfts, lambda: ttft_ms(all_done(load.answers(bare.url, 200))))
    perf.record("streams_200_errors", sum(not h.ok for h in ours), "streams")
    all_done(ours)
    perf.record(
        "streams_200_ttft_p95_ms",
        percentile(ttfts, 0.95),
        "ms",
        "question sent → first token read; 200 people at once, each their own cookie, 3 turns",
        baseline=percentile(floor, 0.95),
    )


def test_latency_each_token_gains_on_its_way(
    model: AppProcess, docchat: AppProcess, bare: AppProcess, perf: PerfReport
) -> None:
    """The model emits a token every 5 ms; each token's delay from its emission to its
    reader, past the first 10 (emitted before the reader had subscribed)."""
    script(model.url, tokens=410, pace_s=0.005)
    (ours,) = all_done(load.answers(docchat.url, 1))
    (floor,) = all_done(load.answers(bare.url, 1))

    for name, fraction in (("p50", 0.5), ("p99", 0.99)):
        perf.record(
            f"token_delay_{name}_ms",
            percentile(ours.delays_ms[10:], fraction),
            "ms",
            "model emits → reader reads it, 400 tokens at 5 ms",
            baseline=percentile(floor.delays_ms[10:], fraction),
        )


def test_one_long_answer_at_full_speed(
    model: AppProcess, docchat: AppProcess, bare: AppProcess, perf: PerfReport
) -> None:
    script(model.url, tokens=20_000)
    (alone,) = all_done([load.model_alone(model.url)])
    (ours,) = all_done(load.answers(docchat.url, 1))
    (floor,) = all_done(load.answers(bare.url, 1))

    perf.record(  # first: recorded even when the absolute goal below fails
        "long_answer_tokens_per_s_vs_model",
        tokens_per_s(ours),
        "tokens/s",
        "20,000 tokens, against the model's own stream read straight from it",
        baseline=tokens_per_s(alone),
    )
    perf.record(
        "long_answer_tokens_per_s",
        tokens_per_s(ours),
        "tokens/s",
        "20,000 tokens, first → last token read by its one reader",
        baseline=tokens_per_s(floor),
    )


def test_a_long_answer_costs_no_more_per_token_than_a_short_one(
    model: AppProcess, docchat: AppProcess, perf: PerfReport
) -> None:
    """The server's CPU time per token (its process's own, from /proc): 20 answers of 200
    tokens against one of 20,000. Linear costs the same per token; quadratic, far more."""

    load.answers(docchat.url, 1)  # warm
    _, short = answered_at_cost(docchat, model.url, 200, rounds=20)
    _, long = answered_at_cost(docchat, model.url, 20_000)
    perf.record(
        "cpu_per_token_us_20000_tokens",
        long,
        "µs",
        "server CPU per token, one 20,000-token answer, against 200-token answers",
        baseline=short,
    )


@pytest.mark.parametrize("duration_s", [300])
def test_sustained_load(
    model: AppProcess,
    docchat: AppProcess,
    bare: AppProcess,
    perf: PerfReport,
    duration_s: int,
) -> None:
    """Five people asking question after question: answers per second, and whether the
    server's memory (its own process's RSS) trends upward."""
    script(model.url, tokens=50)
    floor_s = min(duration_s, 60)
    floor = all_done(load.answers(bare.url, 5, duration_s=floor_s))
    with MemorySampler(docchat.pid) as sampler:
        ours = all_done(load.answers(docchat.url, 5, duration_s=duration_s))

    samples = sampler.samples
    perf.keep_series(
        "memory",
        seconds=[round(t, 1) for t, _ in samples],
        rss_mb=[round(m, 1) for _, m in samples],
    )
    perf.record(
        "sustained_answers_per_s",
        len(ours) / duration_s,
        "answers/s",
        f"5 people, 50-token answers, {duration_s} s",
        baseline=len(floor) / floor_s,
    )
    settled = samples[len(samples) // 3 :]  # after warm-up
    perf.record("sustained_memory_trend_mb_per_min", slope_per_minute(settled), "MB/min")
