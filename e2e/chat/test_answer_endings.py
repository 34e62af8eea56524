"""How an answer ends: only as the model says it does.

Each ending is checked where a person meets it (the page, a reload, a restart), in the
API's message JSON and in storage: a stream cut without a finish reason is an error with
its partial text and Retry; one at the length limit is kept with a note and Continue,
which streams on in the same answer; one the content filter stopped is kept with a note;
a research plan cut short is an error. (The same endings over real HTTP, from a model
server in its own process: test_model_server.py.)
"""

import json

import pytest

from e2e.harness.clients.api import Api
from e2e.harness.clients.sse import StreamClient
from e2e.harness.content.file_factory import FileFactory
from e2e.harness.model.openai_mock import OpenAIMock
from e2e.harness.server.live_server import LiveServer
from e2e.harness.server.stored import Store
from pages.answer import CUT_OFF, FILTERED, LENGTH_LIMIT

TOKENS = ["Once", " upon", " a", " time"]
PARTIAL = "Once upon a time"
QUESTION = "Tell me a story"


def test_a_stream_cut_without_a_finish_reason_is_an_error_never_a_finished_answer(
    chat, api: Api, store: Store, live_server: LiveServer, openai_mock: OpenAIMock
) -> None:
    openai_mock.reply(TOKENS, end="cut")  # no finish_reason, no [DONE]: the stream just stops

    chat.send(QUESTION)

    answer = chat.messages.last_answer
    answer.expect_cut_off(PARTIAL)
    chat.input_bar.expect_idle()
    error = {"code": "cut_off", "message": CUT_OFF, "retryable": True, "retry_after": None}
    (_, sent) = api.messages(chat.session_id)
    assert (sent["status"], sent["content"], sent["error"], sent["note"]) == (
        "error",
        PARTIAL,
        error,
        None,
    )
    assert store.message(sent["id"]) | {"sources": None} == {
        "status": "error",
        "content": PARTIAL,
        "error": error,
        "sources": None,
    }
    live_server.restart()
    chat.reload()
    chat.messages.last_answer.expect_cut_off(PARTIAL)
    openai_mock.reply([*TOKENS, " there was Zembla."])
    chat.messages.last_answer.retry()
    chat.messages.last_answer.expect_complete("Once upon a time there was Zembla.")


def test_the_event_stream_of_a_cut_answer_ends_with_an_error_event(
    live_server: LiveServer, openai_mock: OpenAIMock
) -> None:
    openai_mock.reply(TOKENS, end="cut")
    client = StreamClient(live_server.url)
    events_url = client.ask(client.new_chat(), QUESTION).json()["events_url"]

    events = client.read_to_end(events_url)
    client.close()

    assert [e.event for e in events] == ["token"] * len(TOKENS) + ["error"]
    assert events[-1].json() == {
        "code": "cut_off",
        "message": CUT_OFF,
        "retryable": True,
        "retry_after": None,
    }


def test_an_answer_at_the_length_limit_is_kept_with_a_note_and_continues_in_place(
    app,
    api: Api,
    store: Store,
    live_server: LiveServer,
    openai_mock: OpenAIMock,
    files: FileFactory,
) -> None:
    app.documents.upload_and_wait(files.text("zembla.txt", "The capital of Zembla is Onhava."))
    openai_mock.reply(["According to [1],", " the capital"], end="length")
    chat = app.new_chat()
    answer = chat.send("What is the capital of Zembla?")

    answer.expect_length_limited("According to [1], the capital")
    (_, sent) = api.messages(chat.session_id)
    assert (sent["status"], sent["note"], sent["error"]) == ("length_limit", LENGTH_LIMIT, None)
    live_server.restart()  # the note and Continue are stored, not page state
    chat.reload()
    answer = chat.messages.last_answer
    answer.expect_length_limited("According to [1], the capital")

    more = openai_mock.continuation([" of Zembla", " is Onhava."], gate_after=1)
    answer.continue_()
    answer.expect_streaming("According to [1], the capital of Zembla")
    chat.input_bar.expect_busy()
    chat.reload()  # the continuation resumes like any answer
    answer = chat.messages.last_answer
    answer.expect_streaming("According to [1], the capital of Zembla")
    more.release()

    answer.expect_complete("According to [1], the capital of Zembla is Onhava.")
    answer.expect_citations("[1] zembla.txt")
    chat.messages.expect_count(1)  # the same answer, grown; not a second one
    asked = openai_mock.last_request
    assert asked.is_continuation
    assert asked.partial == "According to [1], the capital"
    assert asked.sources == ["[1] zembla.txt\nThe capital of Zembla is Onhava."]  # the same
    assert asked.messages[-3]["content"] == "What is the capital of Zembla?"
    assert store.message(sent["id"]) == {
        "status": "done",
        "content": "According to [1], the capital of Zembla is Onhava.",
        "error": None,
        "sources": None,  # kept only while it can go on
    }


def test_a_research_answer_continued_keeps_its_steps_and_its_sources(
    app, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    app.documents.upload_and_wait(files.text("zembla.txt", "The capital of Zembla is Onhava."))
    chat = app.new_chat()
    chat.input_bar.choose_mode("Deep research")
    openai_mock.plan(["Zembla's capital?"])
    openai_mock.reply(["The capital", " is"], end="length")
    answer = chat.send("What is the capital of Zembla?")
    answer.expect_length_limited("The capital is")
    steps = (
        "Planning the research…",
        "Searched “Zembla's capital?”: 1 passage",
        "Writing the answer from 1 passage…",
    )
    more = openai_mock.continuation([" Onhava", " [1]."], gate_after=1)

    answer.continue_()

    answer.expect_streaming("The capital is Onhava")
    answer.expect_steps(*steps)  # shown while it goes on, not only once it is done
    more.release()
    answer.expect_complete("The capital is Onhava [1].")
    answer.expect_steps(*steps)
    answer.expect_citations("[1] zembla.txt")
    assert len(openai_mock.plan_requests) == 1  # the plan is not made again


def test_a_continued_answer_cites_the_sources_of_both_its_parts(
    app, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    # The atlas matches every word of the question, so it is source [1] and exports [2].
    app.documents.upload_and_wait(
        files.text("atlas.txt", "The capital of Zembla is Onhava, by the harbour."),
        files.text("exports.txt", "Zembla exports amber."),
    )
    openai_mock.reply(["Zembla exports amber [2],"], end="length")
    chat = app.new_chat()
    answer = chat.send("What are the capital and the harbour of Zembla?")
    answer.expect_length_limited("Zembla exports amber [2],")
    openai_mock.continuation([" and its capital is Onhava [1]."])

    answer.continue_()

    answer.expect_complete("Zembla exports amber [2], and its capital is Onhava [1].")
    answer.expect_citations("[1] atlas.txt", "[2] exports.txt")
    chat.reload()
    chat.messages.last_answer.expect_citations("[1] atlas.txt", "[2] exports.txt")


def test_a_continued_answer_replays_whole_from_its_first_event(
    live_server: LiveServer, openai_mock: OpenAIMock
) -> None:
    openai_mock.reply(TOKENS, end="length")
    openai_mock.continuation([" there", " was", " Zembla."])
    client = StreamClient(live_server.url)
    events_url = client.ask(client.new_chat(), QUESTION).json()["events_url"]
    first = client.read_to_end(events_url)
    message_id = first[-1].json()["message"]["id"]

    continued = client.http.post(f"/api/messages/{message_id}/continue")
    again = client.http.post(f"/api/messages/{message_id}/continue")
    rest = client.read_to_end(events_url, last_event_id=first[-1].id)
    everything = client.read_to_end(events_url)
    client.close()

    assert continued.status_code == 202
    assert continued.json()["assistant_message"]["last_event_id"] == int(first[-1].id)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "not_continuable")
    assert [e.event for e in rest] == ["token"] * 3 + ["done"]
    assert [e.event for e in everything] == ["token"] * 4 + ["continued"] + ["token"] * 3 + ["done"]
    assert [int(e.id) for e in everything] == list(range(1, len(everything) + 1))
    assert "".join(json.loads(e.data)["text"] for e in everything if e.event == "token") == (
        "Once upon a time there was Zembla."
    )
    assert everything[-1].json()["message"]["status"] == "done"
    # Laid out as each part ends, whole; nothing while it is written.
    assert first[-1].json()["message"]["html"] == "<p>Once upon a time</p>\n"
    assert continued.json()["assistant_message"]["html"] is None
    assert everything[-1].json()["message"]["html"] == "<p>Once upon a time there was Zembla.</p>\n"


def test_a_continuation_can_be_stopped_or_reach_the_limit_again(
    chat, openai_mock: OpenAIMock
) -> None:
    openai_mock.reply(TOKENS, end="length")
    chat.send(QUESTION)
    answer = chat.messages.last_answer
    answer.expect_length_limited(PARTIAL)
    openai_mock.continuation([" there", " was"], end="length")

    answer.continue_()
    answer.expect_length_limited("Once upon a time there was")
    more = openai_mock.continuation([" a", " land", " called", " Zembla."], gate_after=2)
    answer.continue_()
    answer.expect_streaming("Once upon a time there was a land")
    chat.input_bar.stop()

    answer.expect_stopped("Once upon a time there was a land")
    more.closed_early.expect()  # the app hung up on the model
    chat.reload()
    chat.messages.last_answer.expect_stopped("Once upon a time there was a land")


def test_only_an_answer_at_the_length_limit_can_be_continued(
    live_server: LiveServer, openai_mock: OpenAIMock
) -> None:
    openai_mock.reply(TOKENS)
    client = StreamClient(live_server.url)
    events_url = client.ask(client.new_chat(), QUESTION).json()["events_url"]
    message_id = client.read_to_end(events_url)[-1].json()["message"]["id"]

    refused = client.http.post(f"/api/messages/{message_id}/continue")
    unknown = client.http.post("/api/messages/nope/continue")
    client.close()

    assert (refused.status_code, refused.json()["error"]) == (
        409,
        {
            "code": "not_continuable",
            "message": "Only an answer that reached the length limit can go on.",
        },
    )
    assert (unknown.status_code, unknown.json()["error"]) == (
        404,
        {"code": "not_found", "message": "Message not found."},
    )
    assert len(openai_mock.requests) == 1  # nothing was asked of the model


def test_an_answer_cannot_go_on_while_a_newer_one_in_its_chat_is_being_written(
    chat, api: Api, openai_mock: OpenAIMock
) -> None:
    openai_mock.reply(TOKENS, end="length")
    chat.send(QUESTION)
    older = chat.messages.answer(0)
    older.expect_length_limited(PARTIAL)
    newer = openai_mock.reply(["Meanwhile", " this."], gate_after=1)
    chat.send("Something else").expect_streaming("Meanwhile")

    refused = api.call("POST", f"/api/messages/{older.message_id}/continue")

    assert (refused.status, refused.json()["error"]) == (
        409,
        {"code": "reply_in_progress", "message": "Wait for the current answer, or stop it."},
    )
    newer.release()
    chat.messages.last_answer.expect_complete("Meanwhile this.")
    older.expect_length_limited(PARTIAL)  # untouched


def test_an_answer_the_content_filter_stopped_is_kept_with_a_note(
    chat, api: Api, store: Store, live_server: LiveServer, openai_mock: OpenAIMock
) -> None:
    openai_mock.reply(TOKENS, end="content_filter")

    chat.send(QUESTION)

    chat.messages.last_answer.expect_filtered(PARTIAL)
    chat.input_bar.expect_idle()
    (_, sent) = api.messages(chat.session_id)
    assert (sent["status"], sent["note"], sent["error"]) == ("filtered", FILTERED, None)
    assert store.message(sent["id"])["status"] == "filtered"
    live_server.restart()
    chat.reload()
    chat.messages.last_answer.expect_filtered(PARTIAL)


@pytest.mark.parametrize("end", ["cut", "length"])
def test_a_research_plan_cut_short_is_an_error_to_retry(
    app, openai_mock: OpenAIMock, files: FileFactory, end: str
) -> None:
    app.documents.upload_and_wait(files.text("zembla.txt", "The capital of Zembla is Onhava."))
    openai_mock.plan(["Capital of Zembla?", "Its king?"], end=end)
    chat = app.new_chat()
    chat.input_bar.choose_mode("Deep research")

    answer = chat.send("Capital of Zembla and its king?")

    answer.expect_failed("The model's research plan was cut off before it finished. Try again.")
    answer.expect_steps("Planning the research…")
    assert openai_mock.answer_requests == []  # no answer written from half a plan
    answer.retry()
    chat.messages.last_answer.expect_complete("According to [1]: The capital of Zembla is Onhava.")


def test_a_research_plan_the_content_filter_withheld_says_so(chat, openai_mock: OpenAIMock) -> None:
    openai_mock.plan(["Anything?"], end="content_filter")
    chat.input_bar.choose_mode("Deep research")

    answer = chat.send("Anything?")

    answer.expect_failed(
        "The model service's content filter withheld the research plan. Try asking differently.",
        retry=False,
    )
