"""The scripted OpenAI mock over real HTTP, for an app running in a process of its own.

respx can only patch this process. An app in another process reaches the same mock
(same script, gates and request log) through this small server instead.
"""

import asyncio
import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from e2e.openai_mock import BASE_URL, OpenAIMock


class OpenAIServer:
    def __init__(self, mock: OpenAIMock) -> None:
        self.mock = mock
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._http.daemon_threads = True
        self._http.mock = mock  # for the handler
        self._thread = threading.Thread(target=self._http.serve_forever, name="openai-server")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_port}/v1"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join()


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # every call the app makes is a POST
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        # The mock answers requests addressed to its own base URL.
        url = BASE_URL + self.path.removeprefix("/v1")
        request = httpx.Request("POST", url, headers=dict(self.headers), content=body)
        response = self.server.mock.handle(request)
        self.send_response(response.status_code)
        for name, value in response.headers.items():
            if name.lower() not in ("content-length", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Connection", "close")  # the body ends when the connection does
        self.end_headers()
        # The app may go away mid-answer: that is what the crash tests do to it.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            asyncio.run(self._write(response))

    async def _write(self, response: httpx.Response) -> None:
        async for chunk in response.aiter_raw():
            self.wfile.write(chunk)
            self.wfile.flush()

    def log_message(self, format: str, *args: object) -> None:
        """The app logs its requests; the mock's request log has the rest."""
