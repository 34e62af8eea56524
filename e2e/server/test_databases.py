"""SQLite and PostgreSQL hold the same. Each finds a question's passages with its own
full-text search (FTS5 ranked by bm25; an English tsvector ranked by ts_rank_cd), and
the two find the same ones in the same documents."""

import re
from collections.abc import Callable

from e2e.harness.clients.sse import StreamClient
from e2e.harness.content.file_factory import FileFactory
from e2e.harness.model.openai_mock import OpenAIMock
from e2e.harness.server.live_server import LiveServer
from e2e.harness.server.postgres import PostgresServer

# Each question, and the sources it should bring to the model (as the prompt labels them).
QUESTIONS = {
    "What did the lighthouse keeper log?": ["report.pdf, page 1"],
    "Is obsidian a kind of glass, and how do honeybees dance?": [
        "bees.md",
        "report.pdf, page 2",
    ],
    "Anything on penguins?": [],
}
SOURCE = re.compile(r"^\[\d+\] (.+)$", re.M)


def test_both_databases_find_the_same_passages_for_the_same_questions(
    app_on: Callable[[str | None], LiveServer],
    postgres_server: PostgresServer,
    openai_mock: OpenAIMock,
    files: FileFactory,
) -> None:
    documents = [
        files.pdf(
            "report.pdf",
            ["The lighthouse keeper logged every storm.", "Volcanic glass is called obsidian."],
        ),
        files.markdown("bees.md", "Bees", {"Dances": "Honeybees dance to tell the hive where."}),
    ]
    found = {}
    for backend, database_url in (("sqlite", None), ("postgres", postgres_server.new_database())):
        client = StreamClient(app_on(database_url).url)
        for document in documents:
            upload = {"file": (document.name, document.read_bytes())}
            client.http.post("/api/documents", files=upload).raise_for_status()
        chat = client.new_chat()
        for question in QUESTIONS:
            openai_mock.reply(["Noted."])
            client.read_to_end(client.ask(chat, question).json()["events_url"])
        asked = openai_mock.answer_requests[-len(QUESTIONS) :]
        found[backend] = [sorted(SOURCE.findall(request.prompt)) for request in asked]
        client.close()

    assert found["sqlite"] == list(QUESTIONS.values())
    assert found["postgres"] == found["sqlite"]
