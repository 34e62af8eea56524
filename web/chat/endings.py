"""How a finished answer ended, by the model's own word, and the note a person sees."""

# finish_reason → status; any other reason ("stop", or "tool_calls" from a server that
# offers tools) means the model said all it meant to.
STATUS_BY_FINISH = {"length": "length_limit", "content_filter": "filtered"}
NOTES = {
    "length_limit": "The answer reached the model's length limit.",
    "filtered": "The model service's content filter withheld the rest of this answer.",
}
# Answers that go into the history of later questions: what the model meant to say (a
# filtered one could trip the filter again).
IN_HISTORY = ("done", "length_limit")


def status_for(finish_reason: str) -> str:
    return STATUS_BY_FINISH.get(finish_reason, "done")


def note(status: str) -> str | None:
    return NOTES.get(status)
