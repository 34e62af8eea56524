"""Every knob of the app, each with a DOCCHAT_* environment variable."""

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DOCCHAT_", extra="ignore", populate_by_name=True)

    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path(".data")
    # postgresql://user:password@host/database for a PostgreSQL server that several app
    # processes share; unset, the rows are kept in SQLite in data_dir.
    database_url: str | None = None
    # App processes serving the port (uvicorn's workers); above 1 needs database_url.
    workers: int = 1
    # A process renews its lease on the answers and documents it works on every third of
    # this; once a process has not renewed it this long (it crashed, or its machine went
    # away), another ends that work: answers interrupted, documents failed.
    lease_s: float = 15.0
    # Signs the workspace cookie; generated once into data_dir when not given.
    secret_key: str | None = None

    openai_api_key: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DOCCHAT_OPENAI_API_KEY", "OPENAI_API_KEY"),
    )
    openai_base_url: str | None = None
    model: str = "gpt-4o-mini"
    openai_timeout_s: float = 60.0
    # Transient failures (429, 5xx, timeouts) before the first token are retried this many
    # times, waiting retry_base_s * 2**attempt (or the server's Retry-After) each time; a
    # wait longer than retry_max_wait_s is not worth making the person sit through.
    openai_max_retries: int = 2
    openai_retry_base_s: float = 1.0
    openai_retry_max_wait_s: float = 10.0

    max_upload_mb: float = 50.0
    max_message_chars: int = 8000
    # Any other request body (JSON); a message at its longest is well under this.
    max_body_kb: int = 256
    # Per workspace, at once: uploads being received, answer streams open, and tabs (in
    # sight) following the workspace's changes.
    max_uploads_per_workspace: int = 8
    max_streams_per_workspace: int = 20
    max_live_tabs_per_workspace: int = 20
    # Reading a document happens in a process of its own, bounded by these.
    extract_timeout_s: float = 60.0
    extract_memory_mb: int = 1024
    extract_max_pages: int = 5000
    extract_max_chars: int = 100_000_000
    extract_max_unpacked_mb: int = 512
    # An answer's Markdown is laid out once, as it ends, in a process of its own given
    # this long; past it, the answer is shown as plain text (web/chat/rendering.py).
    render_timeout_s: float = 5.0
    chunk_chars: int = 1000
    chunk_overlap_chars: int = 150
    context_passages: int = 6
    # Earlier turns sent with each question, newest first, up to this many characters.
    history_budget_chars: int = 12_000
    # Deep research: at most this many sub-questions, each with this many passages.
    research_sub_questions: int = 4
    research_passages_per_question: int = 4

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)
