"""Corrupted-file fuzzing: real files of each type, damaged, uploaded through the API.

Whatever the damage (truncation anywhere, flipped bytes, a broken part inside a Word
file's ZIP, a damaged PDF cross-reference table, an encryption handler nobody
implements), the upload answers 201 or a documented 4xx, never a 5xx; the document ends
ready, or failed with a reason; no temp file is left; the server stays responsive.

Derandomized, so every run tries the same cases. To try more, and new ones each run:
`DOCCHAT_FUZZ_EXAMPLES=500 ./scripts/test e2e/documents/test_file_fuzz.py`. A failure names the
damaged file it saved under test-results/fuzz/ and Hypothesis' `@reproduce_failure`.
"""

import hashlib
import io
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from e2e.harness.content.file_factory import FileFactory
from e2e.harness.server.live_server import LiveServer
from e2e.harness.server.stored import Store

EXAMPLES = int(os.environ.get("DOCCHAT_FUZZ_EXAMPLES", "0"))
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES or 40,
    derandomize=not EXAMPLES,  # in CI: the same cases every run
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
DOCUMENTED = {201, 409, 413, 415, 422}  # created (ready or failed), or refused, saying why
SAVED = Path("test-results/fuzz")
Damage = Callable[[st.DrawFn, bytes], bytes]


def originals(files: FileFactory) -> dict[str, bytes]:
    """One real file of each kind DocChat takes."""
    made = [
        files.pdf("report.pdf", ["First page of the report.", "Second page.", "Third."]),
        files.docx("memo.docx", ["A memo.", "Its second paragraph."], [["Q1", "3"], ["Q2", "5"]]),
        files.markdown("notes.md", "Notes", {"One": "Some text.", "Two": "More text."}),
        files.text("utf8.txt", "Grüße aus Zürich — ünïcödé.\n"),
        files.text("legacy.txt", "Café “quoted” \u2013 1252.\n", encoding="cp1252"),
    ]
    return {path.name: path.read_bytes() for path in made}


def truncate(draw: st.DrawFn, data: bytes) -> bytes:
    return data[: draw(st.integers(1, len(data) - 1))]


def flip_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    damaged = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        damaged[draw(st.integers(0, len(data) - 1))] ^= draw(st.integers(1, 255))
    return bytes(damaged)


def break_zip_part(draw: st.DrawFn, data: bytes) -> bytes:
    """One part of the ZIP replaced by garbage or by its own first bytes; the ZIP sound."""
    original = zipfile.ZipFile(io.BytesIO(data))
    victim = draw(st.sampled_from(original.namelist()))
    out = io.BytesIO()
    with original, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for part in original.infolist():
            content = original.read(part)
            if part.filename == victim:
                content = draw(
                    st.one_of(st.binary(max_size=64), st.just(content[: len(content) // 2]))
                )
            copy.writestr(part, content)
    return out.getvalue()


def damage_xref(draw: st.DrawFn, data: bytes) -> bytes:
    start = data.rindex(b"xref")
    at = draw(st.integers(start, len(data) - 1))
    garbage = draw(st.binary(min_size=1, max_size=32))
    return data[:at] + garbage + data[at + len(garbage) :]


def unknown_encryption(draw: st.DrawFn, data: bytes) -> bytes:
    return data  # the original is already encrypted with a handler nobody implements


DAMAGES: dict[str, list[Damage]] = {
    ".pdf": [truncate, flip_bytes, damage_xref],
    ".docx": [truncate, flip_bytes, break_zip_part],
    ".md": [truncate, flip_bytes],
    ".txt": [truncate, flip_bytes],
}


@pytest.mark.settings(extract_timeout_s=10)
def test_no_damaged_file_makes_a_server_error_or_leaves_anything_behind(
    live_server: LiveServer, store: Store, files: FileFactory
) -> None:
    samples = originals(files)
    samples["vault.pdf"] = files.pdf_with_unknown_encryption("vault.pdf").read_bytes()
    http = httpx.Client(base_url=live_server.url, timeout=30)

    @st.composite
    def damaged(draw: st.DrawFn) -> tuple[str, bytes, str]:
        name = draw(st.sampled_from(sorted(samples)))
        damage = (
            unknown_encryption
            if name == "vault.pdf"
            else draw(st.sampled_from(DAMAGES[Path(name).suffix]))
        )
        return name, damage(draw, samples[name]), damage.__name__

    @FUZZ_SETTINGS
    @given(case=damaged())
    def upload(case: tuple[str, bytes, str]) -> None:
        name, data, how = case
        try:
            response = http.post("/api/documents", files={"file": (name, data)})
            assert response.status_code in DOCUMENTED, response.text
            body = response.json()
            if response.status_code == 201:
                assert body["status"] in ("ready", "failed"), body
                assert body["status"] == "ready" or body["error"], (
                    f"failed without a reason: {body}"
                )
            else:
                assert body["error"]["message"], body
            assert store.temp_files() == [], "temp files left behind"
            assert http.get("/healthz").status_code == 200, "the server stopped answering"
        except AssertionError as failure:
            raise AssertionError(f"{how}({name}), saved as {save(name, data)}: {failure}") from None

    try:
        upload()
    finally:
        http.close()


def save(name: str, data: bytes) -> Path:
    """The damaged file, to try again by hand: `curl -F file=@PATH .../api/documents`."""
    SAVED.mkdir(parents=True, exist_ok=True)
    path = SAVED / f"{hashlib.sha256(data).hexdigest()[:16]}-{name}"
    path.write_bytes(data)
    return path
