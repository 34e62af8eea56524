"""The model failing once an answer is asked for: its errors in plain words, quiet
retries, Retry, and a database that cannot take the question. (Failures before the
answer begins: test_model_errors.py.)"""

import pytest

from e2e.harness.content.chat_data import NOTHING_FOUND, QUESTION, TRY_AGAIN, ZEMBLA
from e2e.harness.content.file_factory import FileFactory
from e2e.harness.model.openai_mock import OpenAIMock
from e2e.harness.server.faults import Faults
from e2e.harness.server.stored import Store


@pytest.mark.parametrize(
    ("failure", "message", "retryable", "calls"),
    [
        ("401", "The model service refused the API key. Check DOCCHAT_OPENAI_API_KEY.", False, 1),
        (
            "403",
            "The model service does not let this API key use the model. "
            "Check DOCCHAT_OPENAI_API_KEY and DOCCHAT_MODEL.",
            False,
            1,
        ),
        (
            "404",
            "The model service says: The model `gpt-4o-mini` does not exist or you do not "
            "have access to it. Check DOCCHAT_MODEL.",
            False,
            1,
        ),
        ("400", "The question and its context are too long for the model.", False, 1),
        (
            "422",
            "The model service says: Input should be a valid string: messages.0.content",
            False,
            2,  # asked again without the usage option, which some servers refuse so
        ),
        (
            "429",
            "The model service is rate limiting requests. Try again in 20 seconds.",
            True,
            1,  # waiting 20 s is not worth it: the person decides
        ),
        ("500", TRY_AGAIN, True, 3),
        ("503", TRY_AGAIN, True, 3),
        ("timeout", "The model took too long to answer. Try again.", True, 3),
    ],
)
def test_provider_errors_become_clear_messages(
    chat, openai_mock: OpenAIMock, failure: str, message: str, retryable: bool, calls: int
) -> None:
    if failure == "timeout":
        openai_mock.time_out(times=calls)
    else:
        headers = {"retry-after": "20"} if failure == "429" else None
        openai_mock.fail(int(failure), headers=headers, times=calls)

    answer = chat.send("Hello?")

    answer.expect_failed(message, retry=retryable)
    chat.input_bar.expect_idle()
    assert len(openai_mock.requests) == calls


@pytest.mark.sqlite
@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("database_read_only", "its database is read-only"),
        ("database_full", "the disk is full"),
        ("database_locked", "its database is unavailable"),
    ],
)
@pytest.mark.browser_errors(statuses=[507], reason="the database refuses the question")
def test_a_question_the_database_cannot_take_is_refused_plainly_and_kept_in_the_box(
    chat, faults: Faults, fault: str, reason: str
) -> None:
    question = "A question longer than a page of the database. " * 100  # needs pages to grow
    getattr(faults, fault)()

    chat.input_bar.send(question)

    chat.input_bar.expect_error(
        f"The server could not save your change because {reason}. Nothing was saved. "
        "Try again later, or tell whoever runs this DocChat."
    )
    chat.input_bar.expect_text(question)
    faults.heal()
    chat.reload()
    chat.messages.expect_count(0)
    chat.expect_title("New chat")
    chat.send("Now?").expect_complete(NOTHING_FOUND)


def test_transient_failures_are_retried_before_anyone_sees_them(
    chat, openai_mock: OpenAIMock
) -> None:
    openai_mock.fail(503)
    openai_mock.fail(429)  # no Retry-After: backoff
    openai_mock.reply(["Third", " time lucky."])

    answer = chat.send("Hello?")

    answer.expect_complete("Third time lucky.")
    assert len(openai_mock.requests) == 3


def test_retry_writes_a_new_answer_without_repeating_the_question(
    chat, openai_mock: OpenAIMock
) -> None:
    openai_mock.fail(500, times=3)
    chat.send("Hello?").expect_failed(TRY_AGAIN)
    openai_mock.reply(["Hello", " again."])

    chat.messages.last_answer.retry()

    chat.messages.last_answer.expect_complete("Hello again.")
    chat.messages.expect_conversation(("Hello?", "Hello again."))
    assert openai_mock.last_request.conversation == [("user", "Hello?")]
    chat.reload()
    chat.messages.expect_conversation(("Hello?", "Hello again."))


@pytest.mark.settings(openai_api_key=None)
def test_without_an_api_key_the_offline_answerer_quotes_the_best_passage(
    app, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    app.documents.upload_and_wait(files.markdown("atlas.md", "Atlas", {"Zembla": ZEMBLA}))

    answer = app.new_chat().send(QUESTION)

    answer.expect_offline_label()
    answer.expect_complete_containing("These passages match your question best:")
    answer.expect_quoted("# Atlas", "", "## Zembla", "", ZEMBLA)
    answer.expect_citations("[1] atlas.md")
    assert openai_mock.requests == []


@pytest.mark.parametrize(
    ("told", "tokens", "kept"),
    [
        pytest.param("at its first words", ["Once", " upon"], "", id="at its first words"),
        pytest.param(
            "at its next token", ["Once", " upon", " a", " time"], "Once", id="at its next token"
        ),
        pytest.param("at its ending", ["Once", " upon"], "Once", id="at its ending"),
    ],
)
def test_an_answer_whose_text_the_disk_refuses_ends_failed_saying_so(
    chat,
    faults: Faults,
    store: Store,
    openai_mock: OpenAIMock,
    told: str,
    tokens: list[str],
    kept: str,
) -> None:
    """An answer's first words are stored, and sent, before the job reads on; a refusal of
    them is heard at once. Later tokens are stored a loop turn at a time, after the job
    has moved on: a refusal of those is heard at the job's next write (another token, or
    its ending). Either way the answer ends failed, keeping only what was stored."""
    if told == "at its first words":
        faults.answer_text_cannot_be_stored()
        openai_mock.reply(tokens)
        answer = chat.send("Tell me a story")
    else:  # the disk fills after the first words: " upon" is refused as the model waits
        faults.answer_text_cannot_be_stored(after=1)
        reply = openai_mock.reply(tokens, gate_after=2)
        answer = chat.send("Tell me a story")
        reply.expect_held()
        reply.release()
    disk_full = (
        "The server could not save the rest of this answer because the disk is full. "
        "Try again later, or tell whoever runs this DocChat."
    )
    answer.expect_failed(disk_full)
    assert store.message(answer.message_id)["content"] == kept
    faults.heal()
    chat.reload()
    chat.messages.last_answer.expect_failed(disk_full)
    openai_mock.reply(["Saved", " this time."])
    chat.messages.last_answer.retry()
    chat.messages.last_answer.expect_complete("Saved this time.")
