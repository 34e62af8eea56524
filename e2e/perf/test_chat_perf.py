"""Chat responsiveness: time to first token, per-token latency, throughput, many users,
long sessions, and memory under sustained load."""

import asyncio
import statistics
import time
from collections.abc import Callable

import pytest

from e2e.harness.clients.sse import Answered, ask_and_read, run_async
from e2e.harness.model.openai_mock import OpenAIMock
from e2e.harness.server.live_server import LiveServer
from e2e.perf.report import PerfReport, percentile
from pages import AppShell
from pages.dom_clock import DomClock
from web.chat import repository as chat_repo
from web.chat import rows as chat_rows
from web.chat.display import markdown_to_html

pytestmark = pytest.mark.perf


def test_time_to_first_token(chat, openai_mock: OpenAIMock, perf: PerfReport) -> None:
    clock = DomClock(chat)
    for n in range(1, 51):
        openai_mock.reply([f"Answer {n}", " done."])
        chat.send(f"Question {n}?").expect_complete(f"Answer {n} done.")
    ttft = [clock.time_to_first_token_ms(n) for n in range(1, 51)]

    perf.keep_series("time_to_first_token", ms=ttft)
    perf.record(
        "ttft_p50_ms",
        statistics.median(ttft),
        "ms",
        "Send clicked → first token on screen, 50 messages",
    )
    perf.record("ttft_p95_ms", percentile(ttft, 0.95), "ms")


def test_time_to_first_thought_of_a_reasoning_model(
    chat, openai_mock: OpenAIMock, perf: PerfReport
) -> None:
    """A reasoning model thinks before it answers: the first thing on screen is its first
    reasoning, read against the first answer token of the same answers (the model takes
    20 ms a piece, as a fast one streams)."""
    openai_mock.speak("vllm")
    clock = DomClock(chat)
    for n in range(1, 31):
        thinking = ["Thinking", " it", " over."]
        openai_mock.reply([f"Answer {n}", " done."], reasoning=thinking, pace_s=0.02)
        chat.send(f"Question {n}?").expect_complete(f"Answer {n} done.")

    shown = [clock.time_to_first_shown_ms(n) for n in range(1, 31)]
    answered = [clock.time_to_first_token_ms(n) for n in range(1, 31)]

    perf.record(
        "reasoning_first_shown_p50_ms",
        statistics.median(shown),
        "ms",
        "Send clicked → first reasoning on screen, 30 answers of a reasoning model "
        "(baseline: their first answer token)",
        baseline=statistics.median(answered),
    )


def test_latency_added_per_token(chat, openai_mock: OpenAIMock, perf: PerfReport) -> None:
    tokens = [f" word{n}" for n in range(100)]
    reply = openai_mock.reply(tokens, pace_s=0.02)
    clock = DomClock(chat)

    chat.send("Stream slowly").expect_complete("".join(tokens).strip())

    shown = clock.token_arrivals_ms(1, tokens)
    emitted = [t * 1000 for t in reply.emitted_at]
    # The first tokens may be written before the page subscribes (then they are replayed).
    added = [shown[i] - emitted[i] for i in range(10, len(tokens))]
    perf.record(
        "token_added_latency_mean_ms",
        statistics.mean(added),
        "ms",
        "model emits → token on screen (same clock), tokens 10-99",
    )
    perf.record("token_added_latency_p95_ms", percentile(added, 0.95), "ms")


def test_a_5000_token_answer_at_full_speed(chat, openai_mock: OpenAIMock, perf: PerfReport) -> None:
    tokens = [f" t{n}" for n in range(5000)]
    openai_mock.reply(tokens)
    clock = DomClock(chat)

    answer = chat.send("Write a lot")
    answer.expect_complete("".join(tokens).strip())  # every token, in order, once

    elapsed_s = (clock.rendered_at_ms(1) - clock.first_token_at_ms(1)) / 1000
    perf.record(
        "tokens_per_s_through_browser", 5000 / elapsed_s, "tokens/s", "first token → final render"
    )


def test_ten_browser_users_at_once(
    page, new_user: Callable, openai_mock: OpenAIMock, perf: PerfReport
) -> None:
    people = [page, *(new_user() for _ in range(9))]
    chats, clocks = [], []
    for n, person in enumerate(people):
        openai_mock.reply([f"For {n}", " done."], to=f"Question from {n}")
        chats.append(AppShell(person).open().new_chat())
        clocks.append(DomClock(chats[-1]))
    for n, chat in enumerate(chats):
        chat.input_bar.send(f"Question from {n}")
    for n, chat in enumerate(chats):
        chat.messages.last_answer.expect_complete(f"For {n} done.")

    ttft = [clock.time_to_first_token_ms(1) for clock in clocks]
    perf.record("ten_users_ttft_p95_ms", percentile(ttft, 0.95), "ms")


def test_two_hundred_api_streams_at_once(
    live_server: LiveServer, openai_mock: OpenAIMock, perf: PerfReport
) -> None:
    questions = [f"Question {n}" for n in range(200)]
    for n, question in enumerate(questions):
        openai_mock.reply([f"Answer {n}", " done."], to=question)

    async def everyone() -> list[Answered]:
        return await asyncio.gather(*(ask_and_read(live_server.url, q) for q in questions))

    results = run_async(everyone())

    done = [r for r in results if r.events and r.events[-1].event == "done"]
    perf.record("api_200_streams_errors", len(results) - len(done), "streams")
    ttft = [r.first_token_s * 1000 for r in done if r.first_token_s is not None]
    assert len(ttft) == len(done), "An answer that ended done with no first token"
    perf.record(
        "api_200_streams_ttft_p95_ms", percentile(ttft, 0.95), "ms", "each a new user: own cookie"
    )


def test_a_session_with_500_messages(chat, live_server: LiveServer, perf: PerfReport) -> None:
    def fill(ctx) -> None:
        session = ctx.db.one(
            f"SELECT {chat_rows.SESSION_FIELDS} FROM sessions WHERE id = ?", chat.session_id
        )
        for n in range(250):
            _, started = chat_repo.add_exchange(
                ctx.db, session, f"Question {n}?", "chat", False, ctx.lease.id
            )
            answer = f"Answer **{n}**."
            ctx.db.run(  # ended as an answer ends: with its HTML, laid out once
                "UPDATE messages SET content = ?, html = ?, status = 'done' WHERE id = ?",
                answer,
                markdown_to_html(answer),
                started["answer"]["id"],
            )

    live_server.call_on_loop(fill)
    start = time.perf_counter()
    chat.reload()
    chat.messages.expect_count(250)
    elapsed_ms = (time.perf_counter() - start) * 1000
    stats = DomClock(chat).page_stats()
    perf.record(
        "session_500_messages_load_ms", stats["load_ms"], "ms", "navigation start → load event"
    )
    perf.record(
        "session_500_messages_until_shown_ms", elapsed_ms, "ms", "reload → all messages on screen"
    )
    perf.record("session_500_messages_dom_nodes", stats["dom_nodes"], "nodes")
    perf.record("session_500_messages_js_heap_mb", stats["js_heap_mb"], "MB")


@pytest.mark.settings(history_budget_chars=2000)
def test_a_100_turn_conversation(chat, openai_mock: OpenAIMock, perf: PerfReport) -> None:
    turn_ms = []
    for n in range(100):
        openai_mock.reply([f"Reply {n}:", " " + "lorem ipsum " * 5])
        start = time.perf_counter()
        chat.send(f"Turn {n}, go on.").expect_complete_containing(f"Reply {n}:")
        turn_ms.append((time.perf_counter() - start) * 1000)

    history = openai_mock.last_request.messages[1:-1]
    assert sum(len(m["content"]) for m in history) <= 2000  # within its budget
    assert history  # and not empty
    perf.record(
        "turn_p50_ms_100_turns",
        statistics.median(turn_ms),
        "ms",
        "send → answer complete, via the UI",
    )
    perf.record("turn_p95_ms_100_turns", percentile(turn_ms, 0.95), "ms")
