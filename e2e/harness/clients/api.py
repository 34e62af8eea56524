"""The HTTP API from a test: as a browser context sees it, or as raw bytes on the wire."""

import http.client
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from playwright.sync_api import APIRequestContext, APIResponse

RAW_TIMEOUT_S = 10


class Api:
    """JSON calls that share the browser context's workspace cookie."""

    def __init__(self, request: APIRequestContext) -> None:
        self.request = request

    def call(
        self, method: str, path: str, json: Any = None, headers: dict[str, str] | None = None
    ) -> APIResponse:
        return self.request.fetch(path, method=method, data=json, headers=headers)

    def documents(self) -> list[dict[str, Any]]:
        return self._json(self.request.get("/api/documents"))

    def upload(self, file: Path) -> APIResponse:
        return self.request.post(
            "/api/documents",
            multipart={
                "file": {
                    "name": file.name,
                    "mimeType": "application/octet-stream",
                    "buffer": file.read_bytes(),
                }
            },
        )

    def send_message(self, session_id: str, content: str, mode: str = "chat") -> APIResponse:
        return self.request.post(
            f"/api/sessions/{session_id}/messages", data={"content": content, "mode": mode}
        )

    def messages(self, session_id: str) -> list[dict[str, Any]]:
        """A chat's messages, as the API gives them."""
        return self._json(self.request.get(f"/api/sessions/{session_id}"))["messages"]

    def document_named(self, filename: str) -> dict[str, Any]:
        matches = [d for d in self.documents() if d["filename"] == filename]
        assert len(matches) == 1, f"Expected one document named {filename!r}, got {matches}"
        return matches[0]

    @staticmethod
    def _json(response: Any) -> Any:
        assert response.ok, f"{response.url} answered {response.status}: {response.text()}"
        return response.json()


class Multipart:
    """The framing of a multipart/form-data body holding one file in the field `file`."""

    def __init__(self, filename: str) -> None:
        boundary = uuid.uuid4().hex
        self.content_type = f"multipart/form-data; boundary={boundary}"
        self.head = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{boundary}--\r\n".encode()

    def length(self, file_size: int) -> int:
        return len(self.head) + file_size + len(self.tail)


class RawUpload:
    """A POST /api/documents written by hand, for bodies no browser would send."""

    def __init__(self, port: int, body: Multipart, headers: dict[str, str]) -> None:
        """Sends the request line and headers; the body is up to the caller."""
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=RAW_TIMEOUT_S)
        self.conn.putrequest("POST", "/api/documents")
        self.conn.putheader("Content-Type", body.content_type)
        for name, value in headers.items():
            self.conn.putheader(name, value)
        self.conn.endheaders()

    def send(self, data: bytes) -> None:
        self.conn.send(data)

    def send_chunked(self, pieces: Iterator[bytes]) -> int:
        """Send pieces with chunked encoding until the server stops reading; bytes sent."""
        sent = 0
        try:
            for piece in pieces:
                self.conn.send(f"{len(piece):X}\r\n".encode() + piece + b"\r\n")
                sent += len(piece)
            self.conn.send(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: what the caller wants to see
        return sent

    def response(self) -> tuple[int, dict[str, Any]]:
        response = self.conn.getresponse()
        return response.status, json.loads(response.read())

    def close(self) -> None:
        self.conn.close()
