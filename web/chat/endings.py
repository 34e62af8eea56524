"""How a finished answer ended, by what the model said, and the note a person sees."""

from dataclasses import dataclass

from web.llm.errors import ProviderError

# finish_reason → status; "stop" (or a reason DocChat does not know) means the model said
# all it meant to.
STATUS_BY_FINISH = {"length": "length_limit", "content_filter": "filtered"}
# Reasons a model gives for stopping to call a tool (the older name too).
TOOL_CALLS = ("tool_calls", "function_call")
NOTES = {
    "length_limit": "The answer reached the model's length limit.",
    "filtered": "The model service's content filter withheld the rest of this answer.",
    "refused": "The model declined to answer. Try asking differently.",
}
# Answers that go into the history of later questions: what the model meant to say (a
# filtered one could trip the filter again, a refused one would invite another).
IN_HISTORY = ("done", "length_limit")


@dataclass
class Said:
    """What the model's stream said, as the answer's job read it to its end."""

    text: str = ""  # the answer's text: its words, or the words of its refusal
    finish_reason: str | None = None
    refused: bool = False
    used_tool: bool = False
    usage: dict[str, int] | None = None


def ending(said: Said, earlier_text: str = "") -> tuple[str, ProviderError | None]:
    """The answer's status, and its error if it ended as one: never a finished answer
    with nothing in it. `earlier_text`: what it said before it was continued."""
    if said.refused:
        return "refused", None
    if said.used_tool or said.finish_reason in TOOL_CALLS:
        return "error", ProviderError(
            "tool_call",
            "The model tried to use a tool, and DocChat offers none. Try again.",
            True,
        )
    status = STATUS_BY_FINISH.get(said.finish_reason or "", "done")
    if status != "filtered" and not (earlier_text + said.text).strip():
        first = "used up its length limit" if status == "length_limit" else "finished"
        return "error", ProviderError(
            "empty", f"The model {first} without writing any answer. Try again.", True
        )
    return status, None


def note(status: str) -> str | None:
    return NOTES.get(status)
