"""Two app processes on one PostgreSQL database (issue 20): what one writes, a person
reads through the other, stops through the other, and never loses to the other's
restart or death. Each is an app of its own (its own hub, connections and jobs) sharing
only the database, as two processes behind one address would."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from httpx_sse import ServerSentEvent

from e2e.harness.clients.sse import StreamClient, ending, text_of, until_ending
from e2e.harness.content.file_factory import FileFactory
from e2e.harness.model.openai_mock import OpenAIMock
from e2e.harness.server.app_process import AppProcess
from e2e.harness.server.faults import Faults
from e2e.harness.server.live_server import LiveServer
from e2e.harness.server.postgres import PostgresServer

TOKENS = ["Once", " upon", " a", " time", " there", " was", " Zembla."]


class Person:
    """One person (one cookie) whose requests may land on either process."""

    def __init__(self, first: str, second: str) -> None:
        self.on_first = StreamClient(first)
        self.on_second = StreamClient(second)
        self.on_first.new_chat()  # the workspace cookie, which the second one then carries
        self.on_second.http.cookies.update(self.on_first.http.cookies)

    @contextmanager
    def following_on_second(self, events_url: str) -> Iterator["Following"]:
        """An answer's stream read through the second process, its first two tokens in
        (all there is while the model is held after two)."""
        with self.on_second.subscribe(events_url) as source:
            yield Following(source.iter_sse())

    def close(self) -> None:
        self.on_first.close()
        self.on_second.close()


class Following:
    def __init__(self, events: Iterator[ServerSentEvent]) -> None:
        self._events = events
        self.before = [next(events), next(events)]

    def rest(self) -> list[ServerSentEvent]:
        """Every event from here to the answer's ending."""
        return until_ending(self._events)


@pytest.fixture
def processes(
    app_on: Callable[[str | None], LiveServer], postgres_server: PostgresServer
) -> tuple[LiveServer, LiveServer]:
    """Two app processes on one new PostgreSQL database."""
    database = postgres_server.new_database()
    return app_on(database), app_on(database)


@pytest.fixture
def person(processes: tuple[LiveServer, LiveServer]) -> Iterator[Person]:
    """One person, asking the first process and the second."""
    first, second = processes
    person = Person(first.url, second.url)
    yield person
    person.close()


def test_an_answer_written_by_one_process_streams_whole_through_the_other(
    person: Person, openai_mock: OpenAIMock
) -> None:
    reply = openai_mock.reply(TOKENS, gate_after=2)
    chat = person.on_first.new_chat()
    events_url = person.on_first.ask(chat, "Tell me a story").json()["events_url"]

    with person.following_on_second(events_url) as answer:
        reply.release()
        before, after = answer.before, answer.rest()

    assert text_of(before + after) == "".join(TOKENS)
    assert after[-1].event == "done"
    resumed = person.on_second.read_to_end(events_url, last_event_id=before[0].id)
    assert [(e.id, e.data) for e in resumed] == [(e.id, e.data) for e in before[1:] + after]


def test_stop_sent_to_the_other_process_stops_the_answer_where_it_is_written(
    person: Person, openai_mock: OpenAIMock
) -> None:
    openai_mock.reply(TOKENS, gate_after=2)
    chat = person.on_first.new_chat()
    answer = person.on_first.ask(chat, "Tell me a story").json()["assistant_message"]

    with person.following_on_second(f"/api/messages/{answer['id']}/events") as followed:
        stopped = person.on_second.stop(answer["id"])
        before, after = followed.before, followed.rest()

    assert (stopped["status"], stopped["content"]) == ("stopped", "Once upon")
    assert text_of(before + after) == "Once upon"
    assert ending(after)["message"]["status"] == "stopped"
    assert person.on_first.messages(chat)[-1] == stopped


def test_a_process_restarting_leaves_the_others_answers_and_documents_going(
    processes: tuple[LiveServer, LiveServer],
    person: Person,
    openai_mock: OpenAIMock,
    faults: Faults,
    files: FileFactory,
) -> None:
    reply = openai_mock.reply(TOKENS, gate_after=2)
    # Asked first: a question asked while a document is read waits for it (waiting.py).
    answer = person.on_first.ask(person.on_first.new_chat(), "Tell me a story").json()
    reply.expect_held()
    processing = faults.hold_processing()
    uploaded = person.on_first.upload_in_background(files.text("notes.txt", "Harbour notes."))
    processing.expect_reached()

    processes[1].restart()
    processing.release()
    reply.release()

    events = person.on_second.read_to_end(answer["events_url"])
    assert (text_of(events), events[-1].event) == ("".join(TOKENS), "done")
    assert uploaded.result().json()["status"] == "ready"


def test_a_process_restarting_leaves_the_others_upload_in_flight_whole(
    processes: tuple[LiveServer, LiveServer], person: Person, faults: Faults, files: FileFactory
) -> None:
    """The processes share one data folder: the one starting must not take the other's
    upload, received but not yet stored, for a crash's leftover."""
    storing = faults.hold_storing()
    uploaded = person.on_first.upload_in_background(files.text("notes.txt", "Harbour notes."))
    storing.expect_reached()

    processes[1].restart()
    storing.release()

    assert uploaded.result().json()["status"] == "ready"


def test_a_chat_deleted_through_the_other_process_stops_its_answer_where_it_is_written(
    person: Person, openai_mock: OpenAIMock
) -> None:
    reply = openai_mock.reply(TOKENS, gate_after=2)
    chat = person.on_first.new_chat()
    person.on_first.ask(chat, "Tell me a story")
    reply.expect_held()

    assert person.on_second.http.delete(f"/api/sessions/{chat}").status_code == 204

    reply.closed_early.expect()  # the writer no longer asks the model for a deleted answer
    gone = person.on_first.http.get(f"/api/sessions/{chat}")
    assert (gone.status_code, gone.json()["error"]["message"]) == (404, "Chat session not found.")


@pytest.mark.parametrize("door", ["sent", "retried", "continued"])
def test_two_answers_started_at_once_on_two_processes_leave_one_and_refuse_the_other(
    door: str, person: Person, openai_mock: OpenAIMock, faults: Faults
) -> None:
    """Both requests pass their process's checks before either stores its answer: only
    one answer may be written in a chat at a time, across processes too."""
    chat = person.on_first.new_chat()
    url = f"/api/sessions/{chat}/messages"
    if door != "sent":
        openai_mock.reply(["Once", " upon"], end="length" if door == "continued" else "stop")
        answer = person.on_first.ask(chat, "Tell me a story").json()
        person.on_first.read_to_end(answer["events_url"])
        action = {"retried": "retry", "continued": "continue"}[door]
        url = f"/api/messages/{answer['assistant_message']['id']}/{action}"
    # The answer that starts is held before its first word: still being written when the
    # other request looks, however late that one is scheduled.
    if door == "continued":
        reply = openai_mock.continuation([" a time."], gate_after=0)
    else:
        reply = openai_mock.reply(["Once", " upon", " a time."], gate_after=0)
    starting = faults.hold_answers_starting()
    raced = [
        client.post_in_background(url, json={"content": "Tell me a story"})
        for client in (person.on_first, person.on_second)
    ]
    starting.expect_reached(times=2)

    starting.release()

    started, refused = sorted((r.result() for r in raced), key=lambda r: r.status_code)
    assert (started.status_code, refused.status_code) == (202, 409)
    assert refused.json()["error"]["code"] == "reply_in_progress"
    reply.release()
    events = person.on_second.read_to_end(started.json()["events_url"])
    assert events[-1].event == "done"
    assert [(m["role"], m["content"]) for m in person.on_second.messages(chat)] == [
        ("user", "Tell me a story"),
        ("assistant", "Once upon a time."),
    ]


def test_bytes_one_process_deletes_as_the_other_stores_them_again_stay_for_the_newcomer(
    app_on: Callable[[str | None], LiveServer],
    postgres_server: PostgresServer,
    faults: Faults,
    files: FileFactory,
) -> None:
    """Two workspaces with the same file share its bytes on disk: one deletes its copy
    (the last) through one process, as the other uploads it through the other."""
    database = postgres_server.new_database()
    deleter, uploader = StreamClient(app_on(database).url), StreamClient(app_on(database).url)
    notes = files.text("notes.txt", "Harbour notes.")
    deleted = deleter.upload_in_background(notes).result().json()
    storing = faults.hold_document_rows()
    uploaded = uploader.upload_in_background(notes)
    storing.expect_reached()

    assert deleter.http.delete(f"/api/documents/{deleted['id']}").status_code == 204
    storing.release()

    assert uploaded.result().json()["status"] == "ready"
    deleter.close()
    uploader.close()


@pytest.mark.settings(lease_s=1.0)
def test_a_killed_processs_answer_ends_interrupted_through_another_within_its_lease(
    app_on: Callable[[str | None], LiveServer],
    app_process_on: Callable[..., AppProcess],
    postgres_server: PostgresServer,
    openai_mock: OpenAIMock,
) -> None:
    database = postgres_server.new_database()
    doomed = app_process_on(database_url=database)
    person = Person(doomed.url, app_on(database).url)
    openai_mock.reply(TOKENS, gate_after=2)
    answer = person.on_first.ask(person.on_first.new_chat(), "Tell me a story").json()

    with person.following_on_second(answer["events_url"]) as followed:
        doomed.kill()
        before, after = followed.before, followed.rest()

    assert text_of(before + after) == "Once upon"
    assert ending(after)["code"] == "interrupted"
    person.close()


@pytest.mark.settings(lease_s=1.0)
def test_an_answer_written_for_many_leases_is_never_ended_by_the_other_process(
    processes: tuple[LiveServer, LiveServer],
    person: Person,
    openai_mock: OpenAIMock,
    faults: Faults,
) -> None:
    swept = faults.watch_leases_kept(processes[1])
    reply = openai_mock.reply(TOKENS, gate_after=2)
    answer = person.on_first.ask(person.on_first.new_chat(), "Tell me a story").json()

    with person.following_on_second(answer["events_url"]) as followed:
        swept.expect(times=9)  # three lease periods of the other's sweeps, mid-answer
        reply.release()
        before, after = followed.before, followed.rest()

    assert text_of(before + after) == "".join(TOKENS)
    assert ending(after)["message"]["status"] == "done"  # not interrupted


def test_a_process_that_lost_the_databases_notifications_listens_again_and_catches_up(
    person: Person, openai_mock: OpenAIMock, postgres_server: PostgresServer
) -> None:
    reply = openai_mock.reply(TOKENS, gate_after=2)
    chat = person.on_first.new_chat()
    events_url = person.on_first.ask(chat, "Tell me a story").json()["events_url"]

    with person.following_on_second(events_url) as answer:
        postgres_server.drop_listeners()
        reply.release()  # written while nobody listens, read once listening again
        before, after = answer.before, answer.rest()

    assert text_of(before + after) == "".join(TOKENS)


def test_after_postgresql_restarts_both_processes_carry_on_as_if_nothing_happened(
    person: Person, openai_mock: OpenAIMock, postgres_server: PostgresServer
) -> None:
    """The restart closed every connection the processes had: on each, the first statement
    to find its connection lost fails (507), and the next reconnects."""
    chat = person.on_first.new_chat()
    openai_mock.reply(TOKENS)

    postgres_server.restart()

    for process in (person.on_first, person.on_second):
        tries = [process.http.get("/api/sessions").status_code for _ in range(2)]
        assert tries[-1] == 200 and set(tries) <= {200, 507}, tries
    asked = person.on_first.ask(chat, "Tell me a story")
    assert asked.status_code == 202, asked.text
    events = person.on_second.read_to_end(asked.json()["events_url"])
    assert (text_of(events), events[-1].event) == ("".join(TOKENS), "done")


def test_docchat_workers_serves_one_port_from_that_many_processes(
    app_process_on: Callable[..., AppProcess],
    postgres_server: PostgresServer,
    openai_mock: OpenAIMock,
) -> None:
    database = postgres_server.new_database()
    served = app_process_on(database_url=database, workers="2")
    served.expect_ready(processes=2)
    person = StreamClient(served.url)
    openai_mock.reply(TOKENS)

    answer = person.ask(person.new_chat(), "Tell me a story").json()
    events = person.read_to_end(answer["events_url"])

    assert (text_of(events), events[-1].event) == ("".join(TOKENS), "done")
    assert postgres_server.leases(database) == 2
    served.terminate()  # each process ends its work and gives its lease back
    assert postgres_server.leases(database) == 0
    person.close()


def test_docchat_workers_refuses_to_share_a_sqlite_file(
    app_process_on: Callable[..., AppProcess],
) -> None:
    refused = "DOCCHAT_WORKERS above 1 needs DOCCHAT_DATABASE_URL=postgresql://"
    with pytest.raises(AssertionError, match=f"exited at start, saying:\n(.*\n)*{refused}"):
        app_process_on(workers="2")
