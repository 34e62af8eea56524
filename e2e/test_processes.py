"""Two app processes on one PostgreSQL database (issue 20): what one writes, a person
reads through the other. Each is an app of its own (its own hub, connections and jobs)
sharing only the database, as two processes behind one address would."""

from collections.abc import Callable, Iterator

import pytest

from e2e.live_server import LiveServer
from e2e.openai_mock import OpenAIMock
from e2e.postgres import PostgresServer
from e2e.sse import StreamClient, text_of, until_ending

TOKENS = ["Once", " upon", " a", " time", " there", " was", " Zembla."]


class Person:
    """One person (one cookie) whose requests may land on either process."""

    def __init__(self, first: LiveServer, second: LiveServer) -> None:
        self.on_first = StreamClient(first.url)
        self.on_second = StreamClient(second.url)
        self.on_first.new_chat()  # the workspace cookie, which the second one then carries
        self.on_second.http.cookies.update(self.on_first.http.cookies)

    def close(self) -> None:
        self.on_first.close()
        self.on_second.close()


@pytest.fixture
def person(
    app_on: Callable[[str | None], LiveServer], postgres_server: PostgresServer
) -> Iterator[Person]:
    database = postgres_server.new_database()
    person = Person(app_on(database), app_on(database))
    yield person
    person.close()


def test_an_answer_written_by_one_process_streams_whole_through_the_other(
    person: Person, openai_mock: OpenAIMock
) -> None:
    reply = openai_mock.reply(TOKENS, gate_after=2)
    chat = person.on_first.new_chat()
    events_url = person.on_first.ask(chat, "Tell me a story").json()["events_url"]

    with person.on_second.subscribe(events_url) as source:
        events = source.iter_sse()
        before = [next(events), next(events)]  # all there is until the model goes on
        reply.release()
        after = until_ending(events)

    assert text_of(before + after) == "".join(TOKENS)
    assert after[-1].event == "done"
    resumed = person.on_second.read_to_end(events_url, last_event_id=before[0].id)
    assert [(e.id, e.data) for e in resumed] == [(e.id, e.data) for e in before[1:] + after]
