"""Which files DocChat takes: judged by extension *and* by content."""

from pathlib import PurePath

from web.errors import AppError

TEXT_TYPES = {".txt": "text/plain", ".md": "text/markdown", ".markdown": "text/markdown"}
SUPPORTED_HINT = "Upload Markdown (.md) or plain text (.txt) files."

# Signatures of binary formats that must never pass as text.
BINARY_SIGNATURES = {
    b"%PDF-": "a PDF",
    b"PK\x03\x04": "a ZIP archive",
    b"MZ": "a Windows program",
    b"\x7fELF": "a program",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
}


def detect_content_type(filename: str, head: bytes) -> str:
    """The document's content type, or a 415 that says what is wrong and what to do."""
    ext = PurePath(filename).suffix.lower()
    content_type = TEXT_TYPES.get(ext)
    if content_type is None:
        kind = f"{ext} files are" if ext else "Files without an extension are"
        raise AppError(415, "unsupported_type", f"{kind} not supported. {SUPPORTED_HINT}")
    if what := _binary_kind(head):
        raise AppError(
            415,
            "content_mismatch",
            f"“{filename}” is named {ext} but its content is {what}. {SUPPORTED_HINT}",
        )
    return content_type


def _binary_kind(head: bytes) -> str | None:
    for signature, what in BINARY_SIGNATURES.items():
        if head.startswith(signature):
            return what
    if b"\x00" in head:
        return "binary data"
    return None
