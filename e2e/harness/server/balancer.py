"""A load balancer in front of two app processes, as a deployment has one (--processes 2):
one address for the browser; pages and their event streams go to the first process,
every other API call to the second. So what a page asks for is done by one process and
followed through the other, each time.

A plain reverse proxy (Starlette and httpx, on uvicorn in a thread), with the settings
the README asks of a real one: nothing buffered either way, no read timeout, and the
request's Host passed on. Its sockets' kernel buffers are capped too: left to grow, the
two hops took in up to the whole of a 16 MB upload the app had not begun to read, and
the browser showed it all sent.
"""

import socket
import threading
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

STARTUP_TIMEOUT_S = 10
# Hop-by-hop: about one connection, not the message; each side sets its own.
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding"}
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
# What each hop's socket may hold in flight; set, it no longer grows with the traffic.
SOCKET_BUFFER = 256 * 1024


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()

    def install_signal_handlers(self) -> None:
        """Signals belong to the test runner, not to a server in a thread."""


def to_api_process(path: str) -> bool:
    return path.startswith("/api/") and not path.endswith("/events")


class Balancer:
    def __init__(self, pages: str, api: str) -> None:
        self.upstream = {False: pages, True: api}
        # A proxy keeps no cookies: each browser's own pass through, both ways.
        no_cookies = CookieJar(DefaultCookiePolicy(allowed_domains=[]))
        to_app = httpx.AsyncHTTPTransport(
            socket_options=[(socket.SOL_SOCKET, socket.SO_SNDBUF, SOCKET_BUFFER)]
        )
        self._client = httpx.AsyncClient(transport=to_app, timeout=None, cookies=no_cookies)
        app = Starlette(routes=[Route("/{path:path}", self._forward, methods=METHODS)])
        config = uvicorn.Config(app, log_config=None, lifespan="off")
        self._server = _Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [_listening_socket()]},
            name="balancer",
            daemon=True,
        )

    @property
    def url(self) -> str:
        (server,) = self._server.servers
        return f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"

    def start(self) -> None:
        self._thread.start()
        assert self._server.ready.wait(STARTUP_TIMEOUT_S), "The balancer did not start."

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(STARTUP_TIMEOUT_S)

    async def _forward(self, request: Request) -> StreamingResponse:
        upstream = self.upstream[to_api_process(request.url.path)]
        url = httpx.URL(upstream).copy_with(raw_path=request.scope["raw_path"] + _query(request))
        headers = [(k, v) for k, v in request.headers.raw if k.decode() not in HOP_BY_HOP]
        sent = self._client.build_request(
            request.method, url, headers=headers, content=request.stream()
        )
        response = await self._client.send(sent, stream=True)
        forwarded = StreamingResponse(
            response.aiter_raw(),
            status_code=response.status_code,
            background=BackgroundTask(response.aclose),
        )
        # Each header as sent, repeated ones (Set-Cookie) apart: a dict would join them.
        forwarded.raw_headers = [
            (name.encode(), value.encode())
            for name, value in response.headers.multi_items()
            if name not in HOP_BY_HOP
        ]
        return forwarded


def _listening_socket() -> socket.socket:
    """On 127.0.0.1, any free port; what it accepts inherits its receive buffer."""
    listening = socket.socket()
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SOCKET_BUFFER)
    listening.bind(("127.0.0.1", 0))
    return listening


def _query(request: Request) -> bytes:
    query = request.scope["query_string"]
    return b"?" + query if query else b""
