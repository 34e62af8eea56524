"""The JSON API's answers as Pydantic models: FastAPI checks each route's answer against
its model and publishes them all in /openapi.json, the API's contract (Schemathesis holds
the app to it, e2e/server/test_api_fuzz.py). Shapes as the routes have always given them."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="allow")  # a refusal may say more, e.g. retry_after

    code: str = Field(description="What went wrong, for programs: not_found, too_large, …")
    message: str = Field(description="What went wrong and what to do about it, for people.")


class ErrorBody(BaseModel):
    """Every refusal (4xx) and failure (5xx) of the API."""

    error: ErrorDetail


ERRORS = {
    400: "The upload broke off, or ended before the whole file arrived.",
    403: "A change sent from another site's page.",
    404: "No such thing in this workspace.",
    409: "Not now: an answer is still being written, or the thing changed meanwhile.",
    413: "The request or the file is larger than its limit.",
    415: "Not a file DocChat reads (PDF, Word, Markdown or text), or not what it says.",
    422: "The request is not valid; the message says what is wrong.",
    429: "Too many at once in this workspace; the message says how many.",
    507: "The server could not save: its disk is full, or its storage refuses writes.",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error answers a route may give, for its `responses=`."""
    return {status: {"model": ErrorBody, "description": ERRORS[status]} for status in statuses}


def stream_errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The same for an event stream's route: FastAPI would give each its route's media
    type (text/event-stream), but a refusal is JSON like any other. (The JSON routes'
    `errors` put ErrorBody among the document's schemas.)"""
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    return {status: {"description": ERRORS[status], "content": body} for status in statuses}


class Document(BaseModel):
    id: str
    filename: str
    size: int = Field(description="Bytes.")
    content_type: str
    sha256: str
    status: str = Field(description="processing, ready or failed.")
    error: str | None = Field(description="Why it failed, for people.")
    pages: int | None
    chunks: int = Field(description="Passages it was split into, once ready.")
    created_at: str


class Session(BaseModel):
    id: str
    title: str | None
    document_ids: list[str] | None = Field(
        description="The documents this chat uses; null for every ready one."
    )
    created_at: str
    updated_at: str


class Citation(BaseModel):
    n: int = Field(description="The number the answer cites it by: [n].")
    document_id: str
    filename: str
    page: int | None
    snippet: str


class AnswerError(BaseModel):
    code: str
    message: str
    retryable: bool
    retry_after: float | None = None


class Usage(BaseModel):
    model_config = ConfigDict(extra="allow")  # as the model service counts them

    prompt_tokens: int
    completion_tokens: int
    reasoning_tokens: int | None = None


class Message(BaseModel):
    id: str
    session_id: str
    role: str = Field(description="user or assistant.")
    mode: str = Field(description="chat or research.")
    content: str
    status: str = Field(
        description="streaming, done, length_limit, filtered, refused, stopped, "
        "interrupted or error."
    )
    error: AnswerError | None
    offline: bool = Field(description="Written by the offline answerer, not a model.")
    citations: list[Citation]
    steps: list[str] = Field(description="A deep research's steps, as shown.")
    reasoning: str | None
    thought_s: float | None
    usage: Usage | None
    html: str | None = Field(description="A finished answer, laid out and sanitized.")
    created_at: str
    note: str | None = Field(description="How the answer ended, when not plainly done.")
    events_url: str | None = Field(description="An answer's event stream.")
    thought: str | None
    usage_label: str | None


class SessionWithMessages(Session):
    messages: list[Message]


class StartedAnswer(Message):
    last_event_id: int = Field(description="Its stream's last event so far.")


class AnswerStarted(BaseModel):
    assistant_message: StartedAnswer
    events_url: str


class MessageSent(AnswerStarted):
    session: Session
    user_message: Message


class Health(BaseModel):
    status: Literal["ok"]
