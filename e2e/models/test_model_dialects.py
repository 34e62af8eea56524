"""What a model says, in every server's dialect, is what the person sees.

The model stand-in speaks as eight OpenAI-compatible servers do (e2e/harness/model/dialects.py): an
answer shows, stores and replays the same in each. What a model may say besides text is
an ending of its own, never an empty finished answer: a refusal, no text at all, a call
of a tool DocChat does not offer. A reasoning model's thinking shows live, apart from the
answer. A server that refuses structured output, or the usage option, is asked another
way, and remembered. (The same over real HTTP: test_model_server.py.)
"""

import pytest

from e2e.harness.clients.api import Api
from e2e.harness.clients.sse import StreamClient
from e2e.harness.content.chat_data import (
    NOTHING_FOUND,
    QUESTION,
    SOUP,
    ZEMBLA,
    ZEMBLA_QUOTE,
    chat_with_documents,
)
from e2e.harness.content.file_factory import FileFactory
from e2e.harness.model.dialects import DIALECTS
from e2e.harness.model.openai_mock import OpenAIMock, RecordedRequest
from e2e.harness.server.live_server import LiveServer
from e2e.harness.server.stored import Store
from pages.answer import (
    CUT_OFF,
    EMPTY,
    EMPTY_AT_LENGTH,
    FILTERED,
    REFUSED,
    THOUGHT,
    TOOL_CALL,
    Answer,
)

TOKENS = ["Onhava", " is the capital", " [1]."]
ANSWER = "Onhava is the capital [1]."
THINKING = ["The question", " asks for", " the capital."]
THOUGHTS = "The question asks for the capital."


def usage_label(openai_mock: OpenAIMock) -> str | None:
    """What the page says an answer cost, from what the server said (if it said)."""
    request = openai_mock.answer_requests[-1]
    dialect = openai_mock.dialect
    kinds = ["reasoning"] * len(THINKING) * bool(dialect.reasoning_field) + ["content"] * 3
    usage = dialect.usage_for(request.body, kinds)
    if usage is None:
        return None
    given, written = usage["prompt_tokens"], usage["completion_tokens"]
    thinking = usage["reasoning_tokens"] if dialect.reasoning_details else 0
    of_them = f" ({thinking} of them thinking)" if thinking else ""
    return f"Used {given + written} tokens: {given} in, {written} out{of_them}."


def expect_answered(answer: Answer, reasoning: str, usage: str | None) -> None:
    answer.expect_complete(ANSWER)
    answer.expect_citations("[1] zembla.txt")
    if reasoning:
        answer.expect_thought(reasoning)
    else:
        answer.expect_no_reasoning()
    answer.expect_usage(usage)


@pytest.mark.parametrize("dialect", list(DIALECTS))
def test_an_answer_shows_stores_and_replays_the_same_in_every_servers_dialect(
    app, api: Api, store: Store, openai_mock: OpenAIMock, files: FileFactory, dialect: str
) -> None:
    chat = chat_with_documents(app, files, **{"zembla.txt": ZEMBLA})
    openai_mock.speak(dialect)
    reasoning = THINKING if DIALECTS[dialect].reasoning_field else []
    thoughts = "".join(reasoning)
    reply = openai_mock.reply(TOKENS, reasoning=reasoning, gate_after=len(reasoning) + 1)

    answer = chat.send(QUESTION)

    answer.expect_streaming("Onhava")
    chat.reload()  # replayed from the answer's log, as a second tab would get it
    answer = chat.messages.last_answer
    answer.expect_streaming("Onhava")
    reply.release()
    expect_answered(answer, thoughts, usage_label(openai_mock))
    (_, sent) = api.messages(chat.session_id)
    assert (sent["status"], sent["content"], sent["reasoning"]) == ("done", ANSWER, thoughts)
    assert store.message(sent["id"])["content"] == ANSWER
    chat.reload()
    expect_answered(chat.messages.last_answer, thoughts, usage_label(openai_mock))


def test_a_reasoning_models_thinking_shows_live_collapsed_and_stays_out_of_the_answer(
    app, api: Api, store: Store, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    chat = chat_with_documents(app, files, **{"zembla.txt": ZEMBLA})
    openai_mock.speak("vllm")
    reply = openai_mock.reply(["Onhava", " [1]."], reasoning=THINKING, gate_after=2)

    answer = chat.send(QUESTION)

    answer.expect_thinking("The question asks for")
    chat.expect_announced("DocChat is thinking…")  # once, not a word at a time
    chat.input_bar.expect_busy()
    chat.reload()  # resumed where the log was, mid-thought
    answer = chat.messages.last_answer
    answer.expect_thinking("The question asks for")
    chat.expect_announced("DocChat is thinking…")
    reply.release()
    answer.expect_complete("Onhava [1].")
    answer.expect_thought(THOUGHTS)
    answer.expect_citations("[1] zembla.txt")
    answer.open_reasoning(THOUGHTS)
    (_, sent) = api.messages(chat.session_id)
    stored = store.thinking(sent["id"])
    assert (sent["content"], sent["reasoning"], stored["reasoning"]) == (
        "Onhava [1].",
        THOUGHTS,
        THOUGHTS,
    )
    assert stored["thought_s"] > 0
    assert THOUGHT.match(sent["thought"]), sent["thought"]

    openai_mock.reply(["Charles the Beloved."])
    chat.send("Who was its king?").expect_complete("Charles the Beloved.")
    asked = openai_mock.last_request
    assert asked.messages[-3:] == [
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": "Onhava [1]."},  # its thinking is not history
        {"role": "user", "content": "Who was its king?"},
    ]
    assert "asks for" not in asked.prompt


def test_a_refusal_is_the_answer_ended_as_declined_and_kept_out_of_later_questions(
    chat, api: Api, store: Store, live_server: LiveServer, openai_mock: OpenAIMock
) -> None:
    openai_mock.refuse(["I'm sorry,", " but I can't help with that."])

    answer = chat.send("How do I pick my neighbour's lock?")

    answer.expect_refused("I'm sorry, but I can't help with that.")
    chat.expect_announced(f"Answer declined. {REFUSED}")
    chat.input_bar.expect_idle()
    (_, sent) = api.messages(chat.session_id)
    assert (sent["status"], sent["content"], sent["note"], sent["error"]) == (
        "refused",
        "I'm sorry, but I can't help with that.",
        REFUSED,
        None,
    )
    assert store.message(sent["id"])["status"] == "refused"
    live_server.restart()
    chat.reload()
    chat.messages.last_answer.expect_refused("I'm sorry, but I can't help with that.")

    openai_mock.reply(["Ask a locksmith."])
    chat.send("Who can open a lock?").expect_complete("Ask a locksmith.")
    said = [m["content"] for m in openai_mock.last_request.messages if m["role"] != "system"]
    assert said == ["Who can open a lock?"]  # neither the question refused nor the refusal


@pytest.mark.parametrize(
    ("tokens", "end", "said", "code"),
    [
        pytest.param([], "stop", EMPTY, "empty", id="no-text"),
        pytest.param(["Let me look that up."], "tool_calls", TOOL_CALL, "tool_call", id="a-tool"),
    ],
)
def test_an_answer_with_no_text_or_a_call_of_a_tool_says_why_and_retry_answers(
    chat, api: Api, openai_mock: OpenAIMock, tokens: list[str], end: str, said: str, code: str
) -> None:
    openai_mock.reply(tokens, end=end)

    answer = chat.send(QUESTION)

    answer.expect_failed(said)
    answer.expect_text("".join(tokens))  # what came before the call stays
    chat.expect_announced(f"Answer failed. {said}")
    (_, sent) = api.messages(chat.session_id)
    assert (sent["status"], sent["content"], sent["error"]["code"]) == (
        "error",
        "".join(tokens),
        code,
    )
    chat.reload()
    answer = chat.messages.last_answer
    answer.expect_failed(said)
    openai_mock.reply(["Onhava."])
    answer.retry()
    chat.messages.last_answer.expect_complete("Onhava.")


WITHOUT_TEXT = [  # what the stream had and how it ended; how the answer ends
    pytest.param([], [], "stop", ("error", "empty", EMPTY, None), id="nothing"),
    pytest.param(["\n", "  \n"], [], "stop", ("error", "empty", EMPTY, None), id="blank"),
    pytest.param([], THINKING, "stop", ("error", "empty", EMPTY, None), id="only-thinking"),
    pytest.param(
        [], [], "length", ("error", "empty", EMPTY_AT_LENGTH, None), id="nothing-at-length"
    ),
    pytest.param(
        [], THINKING, "length", ("error", "empty", EMPTY_AT_LENGTH, None), id="thinking-at-length"
    ),
    pytest.param([], [], "tool_calls", ("error", "tool_call", TOOL_CALL, None), id="a-tool-call"),
    pytest.param([], [], "content_filter", ("filtered", None, None, FILTERED), id="filtered"),
    pytest.param([], [], "cut", ("error", "cut_off", CUT_OFF, None), id="cut"),
]


@pytest.mark.parametrize(("tokens", "reasoning", "end", "ended"), WITHOUT_TEXT)
def test_no_way_a_stream_ends_without_text_is_a_finished_answer(
    live_server: LiveServer,
    openai_mock: OpenAIMock,
    tokens: list[str],
    reasoning: list[str],
    end: str,
    ended: tuple[str, str | None, str | None, str | None],
) -> None:
    openai_mock.speak("vllm")  # a server that streams reasoning
    openai_mock.reply(tokens, reasoning=reasoning, end=end)
    client = StreamClient(live_server.url)
    session_id = client.new_chat()

    events = client.read_to_end(client.ask(session_id, QUESTION).json()["events_url"])

    (_, sent) = client.messages(session_id)
    client.close()
    error = sent["error"] or {}
    assert (sent["status"], error.get("code"), error.get("message"), sent["note"]) == ended
    assert events[-1].event == ("error" if error else "done")
    assert (sent["content"], sent["reasoning"]) == ("".join(tokens), "".join(reasoning))


def plan_forms(requests: list[RecordedRequest]) -> list[str | None]:
    """How each plan was asked for: the response format's type, or None (a plain list)."""
    return [(r.body.get("response_format") or {}).get("type") for r in requests]


def test_deep_research_completes_on_a_server_without_structured_output_and_asks_plainly_after(
    app, api: Api, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    chat = chat_with_documents(app, files, **{"zembla.txt": ZEMBLA, "soup.txt": SOUP})
    openai_mock.speak("litellm")  # refuses response_format, JSON mode too
    chat.input_bar.choose_mode("Deep research")
    openai_mock.plan(["Zembla's capital?", "Leek soup?"])
    openai_mock.reply(["Onhava [1]", " and leeks [2]."])

    answer = chat.send("What is Zembla's capital and what goes in leek soup?")

    answer.expect_complete("Onhava [1] and leeks [2].")
    answer.expect_steps(
        "Planning the research…",
        "Searched “Zembla's capital?”: 1 passage",
        "Searched “Leek soup?”: 1 passage",
        "Writing the answer from 2 passages…",
    )
    assert plan_forms(openai_mock.plan_requests) == ["json_schema", "json_object", None]
    assert 'one per line, each starting with "- "' in openai_mock.plan_requests[-1].prompt
    (_, sent) = api.messages(chat.session_id)
    assert (sent["status"], sent["content"]) == ("done", "Onhava [1] and leeks [2].")

    openai_mock.plan(["Zembla's king?"])
    chat.send("Who was Zembla's king?").expect_complete(ZEMBLA_QUOTE)
    assert plan_forms(openai_mock.plan_requests[3:]) == [None]  # learnt: asked plainly


def test_a_server_that_refuses_json_mode_plans_to_a_schema_and_is_never_asked_in_json_mode(
    app, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    chat = chat_with_documents(app, files, **{"zembla.txt": ZEMBLA})
    openai_mock.speak("lmstudio")
    chat.input_bar.choose_mode("Deep research")
    openai_mock.plan(["Zembla's capital?"])

    chat.send(QUESTION).expect_complete(ZEMBLA_QUOTE)

    assert plan_forms(openai_mock.plan_requests) == ["json_schema"]


def test_a_server_that_refuses_the_usage_option_answers_and_is_not_asked_it_again(
    chat, openai_mock: OpenAIMock
) -> None:
    openai_mock.speak("azure")  # API versions before 2024-09-01-preview

    chat.send("Where is Zembla?").expect_complete(NOTHING_FOUND)
    answer = chat.send("And Onhava?")

    answer.expect_complete(NOTHING_FOUND)
    answer.expect_usage(None)
    asked = ["stream_options" in r.body for r in openai_mock.answer_requests]
    assert asked == [True, False, False]
