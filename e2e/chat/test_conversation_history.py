"""What the model is told of a chat's earlier exchanges, read from the request it
receives: every exchange in the order it was had, the oldest left out first when they no
longer fit the history budget, and only answers that said what the model meant to say."""

import pytest

from e2e.harness.model.openai_mock import OpenAIMock

EXCHANGES = [("Capital?", "Onhava."), ("Harbour?", "Amber Bay."), ("River?", "The Nara.")]


def said(*exchanges: tuple[str, str]) -> list[tuple[str, str]]:
    return [turn for q, a in exchanges for turn in (("user", q), ("assistant", a))]


# Exactly the two latest exchanges' characters: they fit, all three do not.
@pytest.mark.settings(history_budget_chars=len("Harbour?Amber Bay.River?The Nara."))
def test_earlier_exchanges_reach_the_model_oldest_first_and_the_oldest_leave_first(
    chat, openai_mock: OpenAIMock
) -> None:
    for question, answer in EXCHANGES:
        openai_mock.reply([answer])
        chat.send(question).expect_complete(answer)
    openai_mock.reply(["The Nara."])

    chat.send("Which river again?").expect_complete("The Nara.")

    asked = [request.conversation for request in openai_mock.answer_requests]
    assert asked == [
        [("user", "Capital?")],
        [*said(EXCHANGES[0]), ("user", "Harbour?")],
        [*said(*EXCHANGES[:2]), ("user", "River?")],
        [*said(*EXCHANGES[1:]), ("user", "Which river again?")],  # the oldest left out
    ]


def test_only_answers_that_said_what_the_model_meant_become_history(
    chat, openai_mock: OpenAIMock
) -> None:
    openai_mock.reply(["Onhava."])
    chat.send("Done?").expect_complete("Onhava.")
    held = openai_mock.reply(["Half", " of it."], gate_after=1)
    stopped = chat.send("Stopped?")
    stopped.expect_streaming("Half")
    chat.input_bar.stop()
    stopped.expect_stopped("Half")
    held.release()
    openai_mock.reply(["Withheld"], end="content_filter")
    chat.send("Filtered?").expect_filtered("Withheld")
    openai_mock.reply(["Cut"], end="cut")
    chat.send("Cut off?").expect_cut_off("Cut")
    openai_mock.fail(401)
    chat.send("Failed?").expect_failed(
        "The model service refused the API key. Check DOCCHAT_OPENAI_API_KEY.", retry=False
    )
    openai_mock.refuse(["I can't help with that."])
    chat.send("Refused?").expect_refused("I can't help with that.")
    openai_mock.reply(["Up to the"], end="length")
    chat.send("At the limit?").expect_length_limited("Up to the")
    openai_mock.reply(["Two."])

    chat.send("How many?").expect_complete("Two.")

    assert openai_mock.last_request.conversation == [
        *said(("Done?", "Onhava."), ("At the limit?", "Up to the")),
        ("user", "How many?"),
    ]
