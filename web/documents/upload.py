"""Receive one multipart file into a temp file while the body streams.

The body is never held in memory: bytes go to disk as they arrive, are hashed on the
way, and the upload is cut off as soon as it passes the size limit.
"""

import hashlib
import os
import re
import unicodedata
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from web.errors import AppError, FileTooLarge, StorageFailure
from web.fault_points import fault_point
from web.storage import BlobStore

if TYPE_CHECKING:  # a TypedDict python-multipart declares for type checkers only
    from python_multipart.multipart import MultipartCallbacks

HEAD_BYTES = 8192
# Room for the multipart framing around the file when judging Content-Length.
FRAMING_SLACK = 64 * 1024
MAX_FILENAME_CHARS = 255
# Bidirectional overrides and isolates: they can make "evil\u202etxt.exe" read "evilexe.txt".
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# How browsers write these characters of a file name in a multipart body (the HTML
# standard's multipart/form-data encoding). They leave "%" itself as it is, so a name
# holding "%22" reads as a quote: the encoding is lossy, and this is how it reads.
BROWSER_ESCAPES = {"%22": '"', "%0D": "\r", "%0A": "\n"}


@dataclass
class ReceivedFile:
    path: Path
    filename: str
    size: int
    sha256: str
    head: bytes


@fault_point("upload.receiving")
async def receive_file(request: Request, blobs: BlobStore, max_bytes: int) -> ReceivedFile:
    content_type, params = parse_options_header(request.headers.get("content-type"))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise AppError(422, "invalid_request", "Send the file as multipart/form-data.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes + FRAMING_SLACK:
        raise FileTooLarge(max_bytes)
    sink = _FileSink(blobs, max_bytes)
    try:
        parser = MultipartParser(boundary, sink.callbacks())  # refuses a boundary too long
        async for chunk in request.stream():
            parser.write(chunk)
            sink.raise_if_too_large()
        parser.finalize()
        return sink.result()
    except ClientDisconnect:
        sink.discard()
        raise AppError(400, "aborted", "The upload was interrupted.") from None
    except OSError as exc:
        sink.discard()
        raise StorageFailure(exc) from exc
    except FormParserError as exc:
        sink.discard()
        raise AppError(
            400, "malformed_upload", "The upload is not valid multipart/form-data."
        ) from exc
    except BaseException:
        sink.discard()
        raise


def clean_filename(raw: str) -> str:
    """The name a person gave the file, as their browser sent it, minus any path and
    control characters."""
    name = re.sub("%22|%0D|%0A", lambda escape: BROWSER_ESCAPES[escape[0]], raw)
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if not _unsafe(ch)).strip()
    if len(name) > MAX_FILENAME_CHARS:
        stem, ext = os.path.splitext(name)
        ext = ext if len(ext) <= 16 else ""
        name = stem[: MAX_FILENAME_CHARS - len(ext)] + ext
    return name or "untitled"


def _unsafe(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs") or ch in BIDI_CONTROLS


class _FileSink:
    """Multipart callbacks that stream the part named `file` to a temp file."""

    def __init__(self, blobs: BlobStore, max_bytes: int) -> None:
        self.blobs = blobs
        self.max_bytes = max_bytes
        self.file: BinaryIO | None = None
        self.path: Path | None = None
        self.filename: str | None = None
        self.size = 0
        self.hash = hashlib.sha256()
        self.head = b""
        self.done = False
        self._header_field = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._writing = False

    def callbacks(self) -> "MultipartCallbacks":
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda d, s, e: self._add(field=d[s:e]),
            "on_header_value": lambda d, s, e: self._add(value=d[s:e]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }

    def _add(self, field: bytes = b"", value: bytes = b"") -> None:
        self._header_field += field
        self._header_value += value

    def _part_begin(self) -> None:
        self._headers = {}

    def _header_end(self) -> None:
        self._headers[self._header_field.lower()] = self._header_value
        self._header_field = self._header_value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition"))
        name, filename = options.get(b"name"), options.get(b"filename")
        self._writing = False
        if name == b"file" and filename is not None and self.file is None:
            self._writing = True
            self.filename = clean_filename(filename.decode("utf-8", "replace"))
            fd, self.path = self.blobs.new_temp_file()
            self.file = os.fdopen(fd, "wb")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if not self._writing or self.size > self.max_bytes:
            return
        piece = data[start:end]
        self.size += len(piece)
        if self.size > self.max_bytes:
            return
        if len(self.head) < HEAD_BYTES:
            self.head += piece[: HEAD_BYTES - len(self.head)]
        self.hash.update(piece)
        assert self.file is not None  # opened as its part began (_headers_finished)
        self.file.write(piece)

    def _part_end(self) -> None:
        if self._writing:
            self.done = True
            self._writing = False

    def raise_if_too_large(self) -> None:
        if self.size > self.max_bytes:
            raise FileTooLarge(self.max_bytes)

    def result(self) -> ReceivedFile:
        if self.path is None:
            raise AppError(422, "no_file", "Choose a file to upload (form field 'file').")
        if not self.done:
            raise AppError(400, "incomplete", "The upload ended before the whole file arrived.")
        assert self.file is not None and self.filename is not None  # the part was read whole
        self.file.close()
        self.file = None
        return ReceivedFile(self.path, self.filename, self.size, self.hash.hexdigest(), self.head)

    def discard(self) -> None:
        if self.file is not None:
            with suppress(OSError):  # closing flushes, which fails again on a full disk
                self.file.close()
            self.file = None
        if self.path is not None:
            self.path.unlink(missing_ok=True)
