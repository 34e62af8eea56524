"""The scripted OpenAI mock over real HTTP, for an app running in a process of its own.

respx can only patch this process. An app in another process reaches the same mock
(same script, gates and request log) through this small server instead. A fault that
the in-process mock raises as a transport error happens here for real, on the socket:
a dropped stream is reset mid-body, a stall sends nothing until the app gives up, a
refused connection is the server stopped (`stop()`, then `start()` on the same port).
"""

import asyncio
import contextlib
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpcore2
import httpx

from e2e.harness.model.openai_mock import BASE_URL, OpenAIMock


class OpenAIServer:
    def __init__(self, mock: OpenAIMock) -> None:
        self.mock = mock
        self.port = 0  # the first start picks one; restarts keep it
        self._http: _MockServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> None:
        self._http = _MockServer(("127.0.0.1", self.port), _Handler)
        self._http.mock = self.mock  # for the handler
        self.port = self._http.server_port
        self._thread = threading.Thread(target=self._http.serve_forever, name="openai-server")
        self._thread.start()

    def stop(self) -> None:
        """Stop listening: from now on, connections to its port are refused."""
        if self._http is None:
            return
        self._http.shutdown()
        self._http.server_close()
        assert self._thread is not None  # started with the server
        self._thread.join()
        self._http = None


class _MockServer(ThreadingHTTPServer):
    daemon_threads = True
    mock: OpenAIMock


class _Handler(BaseHTTPRequestHandler):
    server: _MockServer
    protocol_version = "HTTP/1.1"  # for chunked bodies, as the real API streams

    def do_POST(self) -> None:  # every call the app makes is a POST
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        # The mock answers requests addressed to its own base URL.
        url = BASE_URL + self.path.removeprefix("/v1")
        request = httpx.Request("POST", url, headers=dict(self.headers), content=body)
        self.close_connection = True
        # The app may go away mid-answer: that is what the crash tests do to it.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            try:
                response = self.server.mock.handle(request)
            except httpcore2.ReadTimeout:
                return self._stall()  # accepted, and never answered
            except httpcore2.ConnectError:
                return self._reset()  # as near to "no server" as a running one gets
            self._respond(response)

    def _respond(self, response: httpx.Response) -> None:
        self.send_response(response.status_code)
        for name, value in response.headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        self.send_header("Connection", "close")
        if not response.headers.get("content-type", "").startswith("text/event-stream"):
            content = response.read()
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            asyncio.run(self._write_chunks(response))
        except httpcore2.ReadError:
            self._reset()  # mid-body: the client sees the stream break off
        except httpcore2.ReadTimeout:
            self._stall()
        else:
            self.wfile.write(b"0\r\n\r\n")  # the body ends cleanly, whatever it said

    async def _write_chunks(self, response: httpx.Response) -> None:
        async for chunk in response.aiter_raw():
            self.wfile.write(b"%X\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.flush()

    def _reset(self) -> None:
        """Close with a TCP reset, not a clean end of the body."""
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    def _stall(self) -> None:
        """Send nothing more until the client gives up and closes the connection."""
        self.wfile.flush()
        with contextlib.suppress(OSError):
            while self.connection.recv(1024):
                pass

    def log_message(self, format: str, *args: object) -> None:
        """The app logs its requests; the mock's request log has the rest."""
