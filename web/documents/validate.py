"""Which files DocChat takes: judged by extension *and* by content."""

from pathlib import PurePath

from web.errors import AppError

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CONTENT_TYPES = {
    ".pdf": PDF,
    ".docx": DOCX,
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".txt": "text/plain",
}
SUPPORTED_HINT = "Upload PDF, Word (.docx), Markdown (.md) or plain text (.txt) files."

# What each binary format's first bytes are; text must start with none of them.
SIGNATURES = {
    b"%PDF-": "a PDF",
    b"PK\x03\x04": "a ZIP archive or Office file",
    b"MZ": "a Windows program",
    b"\x7fELF": "a program",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
}
EXPECTED_SIGNATURE = {PDF: b"%PDF-", DOCX: b"PK\x03\x04"}


def detect_content_type(filename: str, head: bytes) -> str:
    """The document's content type, or a 415 that says what is wrong and what to do."""
    ext = PurePath(filename).suffix.lower()
    content_type = CONTENT_TYPES.get(ext)
    if content_type is None:
        kind = f"{ext} files are" if ext else "Files without an extension are"
        raise AppError(415, "unsupported_type", f"{kind} not supported. {SUPPORTED_HINT}")
    expected = EXPECTED_SIGNATURE.get(content_type)
    actual = _content_kind(head)
    if (expected and not head.startswith(expected)) or (not expected and actual):
        raise AppError(
            415,
            "content_mismatch",
            f"“{filename}” is named {ext} but its content is {actual or 'something else'}. "
            f"{SUPPORTED_HINT}",
        )
    return content_type


def _content_kind(head: bytes) -> str | None:
    for signature, what in SIGNATURES.items():
        if head.startswith(signature):
            return what
    if b"\x00" in head:
        return "binary data"
    return None
