"""Streaming, end to end: the SSE protocol, stop, drops and reconnects, failures, many users."""

import asyncio
import itertools
import json
from collections.abc import Callable

import httpx
import pytest

from e2e.harness.clients import sse
from e2e.harness.clients.api import Api
from e2e.harness.clients.sse import (
    Answered,
    StreamClient,
    ask_and_read,
    ending,
    run_async,
    text_of,
    until_ending,
)
from e2e.harness.model.openai_mock import OpenAIMock
from e2e.harness.server.faults import Faults
from e2e.harness.server.live_server import LiveServer
from e2e.harness.server.stored import Store
from pages import AppShell, ChatPage

TOKENS = ["Once", " upon", " a", " time", " there", " was", " Zembla."]
FULL = "".join(TOKENS)
INTERRUPTED = "The answer was interrupted because the server stopped."


# --- the protocol ----------------------------------------------------------------------


def test_an_event_stream_has_ids_a_retry_hint_and_the_right_headers(
    client: StreamClient, openai_mock: OpenAIMock
) -> None:
    openai_mock.reply(TOKENS)
    sent = client.ask(client.new_chat(), "Tell me a story")
    assert sent.status_code == 202

    with client.subscribe(sent.json()["events_url"]) as source:
        headers = source.response.headers
        events = until_ending(source.iter_sse())

    assert headers["content-type"].startswith("text/event-stream")
    assert headers["cache-control"] == "no-cache"
    assert headers["x-accel-buffering"] == "no"
    assert [e.id for e in events] == [str(n) for n in range(1, len(events) + 1)]
    assert events[0].retry == 500  # reconnect fast after a drop
    assert [e.event for e in events] == ["token"] * len(TOKENS) + ["done"]
    assert text_of(events) == FULL
    assert ending(events)["message"]["status"] == "done"


def test_last_event_id_replays_exactly_what_came_after_it(
    client: StreamClient, openai_mock: OpenAIMock
) -> None:
    openai_mock.reply(TOKENS)
    events_url = client.ask(client.new_chat(), "Tell me a story").json()["events_url"]
    everything = client.read_to_end(events_url)

    rest = client.read_to_end(events_url, last_event_id="3")

    assert [e.id for e in rest] == [e.id for e in everything[3:]]
    assert text_of(rest) == "".join(TOKENS[3:])
    assert rest[-1].event == "done"


def test_resuming_at_the_end_or_past_it_says_there_is_nothing_more_with_204(
    client: StreamClient, openai_mock: OpenAIMock
) -> None:
    """204 No Content is how a server tells an EventSource to stop reconnecting (an empty
    200 that ends would have it reconnect every `retry` ms, for ever)."""
    reply = openai_mock.reply(TOKENS, gate_after=2)
    events_url = client.ask(client.new_chat(), "Tell me a story").json()["events_url"]
    with client.subscribe(events_url) as source:
        first_two = list(itertools.islice(source.iter_sse(), 2))
    ahead = client.http.get(events_url, headers={"Last-Event-ID": "3"})  # not written yet
    reply.release()
    done = client.read_to_end(events_url, last_event_id=first_two[-1].id)[-1]

    assert (ahead.status_code, ahead.content) == (204, b"")
    for past in (done.id, str(int(done.id) + 1), "9" * 30):  # the last, and past any int
        response = client.http.get(events_url, headers={"Last-Event-ID": past})
        assert (response.status_code, response.content) == (204, b""), past
    assert client.http.get(events_url, params={"after": done.id}).status_code == 204
    too_far = client.http.get(events_url, params={"after": 2**63})
    assert (too_far.status_code, too_far.json()["error"]["code"]) == (422, "invalid_request")


def test_a_finished_answer_replays_whole_to_every_subscriber_and_ends_with_done(
    client: StreamClient, openai_mock: OpenAIMock
) -> None:
    openai_mock.reply(TOKENS)
    events_url = client.ask(client.new_chat(), "Tell me a story").json()["events_url"]
    first = client.read_to_end(events_url)

    later = [client.read_to_end(events_url) for _ in range(3)]

    for replay in later:
        assert [(e.id, e.event, e.data) for e in replay] == [(e.id, e.event, e.data) for e in first]


def test_an_idle_stream_sends_heartbeats(
    client: StreamClient, openai_mock: OpenAIMock, faults: Faults
) -> None:
    faults.heartbeat_every(0.05)
    reply = openai_mock.reply(TOKENS, gate_after=1)
    events_url = client.ask(client.new_chat(), "Tell me a story").json()["events_url"]

    with client.subscribe(events_url) as source:
        lines = sse.lines_after_opening(source)
        before_ping = list(itertools.takewhile(lambda line: line != sse.HEARTBEAT, lines))
        reply.release()
        after_ping = list(itertools.takewhile(lambda line: line != "event: done", lines))

    assert before_ping.count("event: token") == 1  # held after one token: a heartbeat came
    assert after_ping.count("event: token") == len(TOKENS) - 1  # and the stream went on


def test_stop_sent_again_as_the_stopped_answer_is_laid_out_ends_it_once(
    client: StreamClient, openai_mock: OpenAIMock, faults: Faults
) -> None:
    """Two tabs press Stop at once: the second finds the first's answer ending (its text
    being laid out), and the answer ends stopped, once, laid out when first read."""
    openai_mock.reply(TOKENS, gate_after=3)
    laying_out = faults.hold_laying_out()
    session_id = client.new_chat()
    answer = client.ask(session_id, "Tell me a story").json()["assistant_message"]
    with client.subscribe(answer["events_url"]) as source:
        tokens = list(itertools.islice(source.iter_sse(), 3))

    first = client.post_in_background(f"/api/messages/{answer['id']}/stop")
    laying_out.reached.expect()
    second = client.post_in_background(f"/api/messages/{answer['id']}/stop")

    assert [e.event for e in tokens] == ["token"] * 3
    for stopped in (first.result(), second.result()):
        assert (stopped.status_code, stopped.json()["status"]) == (200, "stopped")
        assert stopped.json()["content"] == "Once upon a"
    events = client.read_to_end(answer["events_url"])
    assert [e.event for e in events] == ["token"] * 3 + ["done"]
    [_question, stored] = client.messages(session_id)
    assert (stored["status"], stored["html"]) == ("stopped", "<p>Once upon a</p>\n")


def test_stop_as_a_finished_answer_is_laid_out_leaves_it_finished(
    client: StreamClient, openai_mock: OpenAIMock, faults: Faults
) -> None:
    """Stop pressed as the last token came: the answer was whole, and it stays done."""
    openai_mock.reply(TOKENS)
    laying_out = faults.hold_laying_out()
    session_id = client.new_chat()
    answer = client.ask(session_id, "Tell me a story").json()["assistant_message"]
    laying_out.reached.expect()

    stopped = client.stop(answer["id"])

    assert (stopped["status"], stopped["content"]) == ("done", FULL)
    events = client.read_to_end(answer["events_url"])
    assert [e.event for e in events] == ["token"] * len(TOKENS) + ["done"]
    assert ending(events)["message"]["status"] == "done"
    assert client.messages(session_id)[1]["html"] == f"<p>{FULL}</p>\n"


# --- in the browser --------------------------------------------------------------------


def test_stop_keeps_the_partial_answer_and_ends_the_upstream_stream(
    chat, openai_mock: OpenAIMock
) -> None:
    reply = openai_mock.reply(TOKENS, gate_after=3)
    answer = chat.send("Tell me a story")
    answer.expect_streaming("Once upon a")
    chat.input_bar.expect_busy()

    chat.input_bar.stop()

    answer.expect_stopped("Once upon a")
    chat.input_bar.expect_idle()
    reply.closed_early.expect()  # the app hung up on OpenAI, not just on the browser
    chat.reload()
    chat.messages.last_answer.expect_stopped("Once upon a")


@pytest.mark.browser_errors(
    "ERR_INCOMPLETE_CHUNKED_ENCODING", reason="the test severs the stream's connection"
)
def test_a_dropped_connection_reconnects_without_losing_or_repeating_a_token(
    chat, live_server: LiveServer, openai_mock: OpenAIMock, faults: Faults
) -> None:
    reply = openai_mock.reply(TOKENS, gate_after=2)
    answer = chat.send("Tell me a story")
    answer.expect_streaming("Once upon")
    subscriptions = live_server.call_on_loop(lambda ctx: ctx.hub.subscriptions)

    assert faults.drop_event_streams() == 1
    reply.release()  # the rest is written while the page is cut off

    answer.expect_complete(FULL)  # exact: nothing lost, nothing twice
    assert (
        live_server.call_on_loop(lambda ctx: ctx.hub.subscriptions) > subscriptions
    )  # it came back


def test_a_reload_mid_stream_picks_up_the_live_stream(chat, openai_mock: OpenAIMock) -> None:
    reply = openai_mock.reply(TOKENS, gate_after=4)
    chat.send("Tell me a story").expect_streaming("Once upon a time")

    chat.reload()

    answer = chat.messages.last_answer
    answer.expect_streaming("Once upon a time")
    chat.input_bar.expect_busy()
    reply.release()
    answer.expect_complete(FULL)
    chat.input_bar.expect_idle()


def test_an_answer_being_written_reads_as_its_text_so_far_and_is_stored_whole_at_its_end(
    chat, api: Api, store: Store, openai_mock: OpenAIMock
) -> None:
    """A token is an event in the answer's log; the message's text is written once, when
    it ends (rewriting it per token would cost the square of its length). Until then,
    reading the message gives the log's text so far."""
    reply = openai_mock.reply(TOKENS, gate_after=4)
    chat.send("Tell me a story").expect_streaming("Once upon a time")

    answer = api.messages(chat.session_id)[-1]
    assert (answer["status"], answer["content"]) == ("streaming", "Once upon a time")
    reply.release()
    chat.messages.last_answer.expect_complete(FULL)
    assert store.message(answer["id"])["content"] == FULL


def test_closing_the_tab_does_not_stop_the_answer(
    page, chat, context, live_server: LiveServer, openai_mock: OpenAIMock
) -> None:
    reply = openai_mock.reply(TOKENS, gate_after=2)
    chat.send("Tell me a story").expect_streaming("Once upon")
    url = chat.url

    page.close()
    reply.release()

    live_server.expect_idle()  # finished, and nothing held for the closed tab
    chat = ChatPage(context.new_page()).open(url)
    chat.messages.expect_conversation(("Tell me a story", FULL))
    chat.messages.last_answer.expect_complete(FULL)


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("drop", "The connection to the model service broke mid-answer. Try again."),
        (
            "error_event",
            "The model service failed mid-answer, saying: The server had an error while "
            "processing your request. Sorry about that! Try again.",
        ),
        ("malformed", "The model service sent part of the answer garbled. Try again."),
        ("stall", "The model stopped sending in the middle of the answer. Try again."),
    ],
)
def test_an_upstream_failure_mid_answer_keeps_the_partial_text_and_offers_retry(
    chat, openai_mock: OpenAIMock, how: str, message: str
) -> None:
    openai_mock.reply(TOKENS[:3], end=how)

    answer = chat.send("Tell me a story")

    answer.expect_failed(message)
    answer.expect_text("Once upon a")
    chat.input_bar.expect_idle()
    openai_mock.reply(TOKENS)
    answer.retry()
    chat.messages.expect_conversation(("Tell me a story", FULL))


@pytest.mark.browser_errors(
    "ERR_CONNECTION_REFUSED",
    reason="the page's stream reconnects while the server is down (seen with the cores busy)",
)
@pytest.mark.one_process(reason="restarts the page's process; the other does the work")
def test_a_restart_mid_answer_ends_it_interrupted_and_it_can_be_retried(
    chat, live_server: LiveServer, openai_mock: OpenAIMock
) -> None:
    """A graceful restart (a deploy): the server ends the answer as interrupted on its way
    down. After a crash, startup recovery does it instead: test_crash_safety.py."""
    openai_mock.reply(TOKENS, gate_after=2)
    answer = chat.send("Tell me a story")
    answer.expect_streaming("Once upon")

    live_server.restart()

    answer.expect_failed(INTERRUPTED, status="interrupted")
    answer.expect_text("Once upon")
    openai_mock.reply(TOKENS)
    answer.retry()
    chat.messages.last_answer.expect_complete(FULL)


# --- many at once ----------------------------------------------------------------------


def test_five_people_stream_at_once_and_each_sees_only_their_own_answer(
    page, new_user: Callable, openai_mock: OpenAIMock
) -> None:
    people = [page, *(new_user() for _ in range(4))]
    chats, answers, replies = [], [], []
    for n, person in enumerate(people):
        question = f"Question from person {n}"
        replies.append(
            openai_mock.reply(
                ["Answer", f" for person {n},", " complete."], gate_after=2, to=question
            )
        )
        chat = AppShell(person).open().new_chat()
        answers.append(chat.send(question))
        chats.append(chat)

    for n, answer in enumerate(answers):
        answer.expect_streaming(f"Answer for person {n},")
    for reply in reversed(replies):
        reply.release()

    for n, answer in enumerate(answers):
        answer.expect_complete(f"Answer for person {n}, complete.")
        chats[n].messages.expect_conversation(
            (f"Question from person {n}", f"Answer for person {n}, complete.")
        )


def test_two_tabs_on_one_chat_show_the_same_live_stream(
    page, context, openai_mock: OpenAIMock
) -> None:
    reply = openai_mock.reply(TOKENS, gate_after=3)
    first = AppShell(page).open().new_chat()
    first.send("Tell me a story").expect_streaming("Once upon a")

    second = ChatPage(context.new_page()).open(first.url)
    second.messages.last_answer.expect_streaming("Once upon a")
    reply.release()

    for tab in (first, second):
        tab.messages.last_answer.expect_complete(FULL)
        tab.input_bar.expect_idle()


def test_two_racing_sends_on_one_chat_accept_exactly_one(
    live_server: LiveServer, client: StreamClient, openai_mock: OpenAIMock
) -> None:
    reply = openai_mock.reply(TOKENS, gate_after=1)
    session_id = client.new_chat()
    cookies = dict(client.http.cookies)

    async def race() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=live_server.url, cookies=cookies) as http:
            url = f"/api/sessions/{session_id}/messages"
            return await asyncio.gather(
                *(http.post(url, json={"content": f"Send {n}"}) for n in range(2))
            )

    responses = run_async(race())

    assert sorted(r.status_code for r in responses) == [202, 409]
    reply.release()
    accepted = next(r for r in responses if r.status_code == 202).json()
    assert text_of(client.read_to_end(accepted["events_url"])) == FULL
    messages = client.http.get(f"/api/sessions/{session_id}").json()["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"]


def test_fifty_streams_at_once_each_get_exactly_their_own_tokens(
    live_server: LiveServer, openai_mock: OpenAIMock
) -> None:
    questions = [f"Question {n}" for n in range(50)]
    for n, question in enumerate(questions):
        openai_mock.reply([f"Answer {n}", " in", " three", " parts."], to=question)

    async def everyone() -> list[Answered]:
        return await asyncio.gather(*(ask_and_read(live_server.url, q) for q in questions))

    results = run_async(everyone())

    for answered in results:
        events = answered.events
        number = answered.question.removeprefix("Question ")
        assert text_of(events) == f"Answer {number} in three parts."
        assert ending(events)["message"]["status"] == "done"
        assert json.loads(events[0].data) == {"text": f"Answer {number}"}
