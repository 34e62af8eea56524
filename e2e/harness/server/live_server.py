"""The app under test: uvicorn in a thread of the test process.

In-process, so respx intercepts the app's OpenAI calls and tests can read the server's
storage and inject faults into it.
"""

import asyncio
import os
import socket
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import uvicorn
from fastapi import FastAPI

from web.app import create_app
from web.context import AppContext
from web.server import DocChatServer
from web.settings import Settings

T = TypeVar("T")

STARTUP_TIMEOUT_S = 10
# A fallback: the server ends open SSE streams itself; anything still running is cut.
GRACEFUL_SHUTDOWN_S = 0.3
STOP_TIMEOUT_S = 5
CALL_TIMEOUT_S = 10
# How long answers and streams may take to wind down once a test is over (shorter for
# e2e/suite/test_reporting.py, whose tests leave an answer running on purpose).
IDLE_TIMEOUT_S = float(os.environ.get("DOCCHAT_TEST_IDLE_TIMEOUT_S", "5"))
BACKLOG = 2048  # uvicorn's


class _Server(DocChatServer):
    """The app's server, saying when it is up and which loop it runs on."""

    def __init__(self, config: uvicorn.Config, app: FastAPI) -> None:
        super().__init__(config, app)
        self.ready = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        self._exit = asyncio.Event()  # bound to the server's loop when it first waits

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self.loop = asyncio.get_running_loop()
        await super().startup(sockets)
        self.ready.set()

    async def main_loop(self) -> None:
        # Wake the moment exit() is called; uvicorn's own loop polls every 100 ms.
        await self._exit.wait()

    def exit(self) -> None:
        self.should_exit = True
        assert self.loop is not None, "exit() before the server started"
        self.loop.call_soon_threadsafe(self._exit.set)

    def install_signal_handlers(self) -> None:
        """Signals belong to the test runner, not to a server in a thread."""


class LiveServer:
    def __init__(
        self, settings: Settings, bind: str = "127.0.0.1", host: str = "127.0.0.1"
    ) -> None:
        self.settings = settings
        self.bind = bind  # the address it listens on
        self.host = host  # the name a browser reaches it by
        self.port = 0
        self._listener: socket.socket | None = None
        self._app: FastAPI | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def app(self) -> FastAPI:
        assert self._app is not None, "the server is not running"
        return self._app

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def call_on_loop(self, fn: Callable[[AppContext], T]) -> T:
        """A plain function, fn(ctx), on the server's event loop, between requests, as a
        handler would run it."""

        async def on_loop(ctx: AppContext) -> T:
            return fn(ctx)

        return self.await_on_loop(on_loop)

    def await_on_loop(
        self, fn: Callable[[AppContext], Awaitable[T]], timeout: float = CALL_TIMEOUT_S
    ) -> T:
        """A coroutine function, fn(ctx), awaited on the server's event loop."""
        future = asyncio.run_coroutine_threadsafe(_awaited(fn(self.app.state.ctx)), self.loop)
        return future.result(timeout)

    def expect_idle(self) -> None:
        """No answer is being written and no stream is subscribed: nothing was leaked."""

        async def leftovers(ctx: AppContext) -> str | None:
            try:
                await asyncio.wait_for(ctx.hub.wait_idle(), IDLE_TIMEOUT_S)
            except TimeoutError:
                return f"{ctx.hub.live_jobs} answer job(s), {ctx.hub.subscribers} subscriber(s)"
            return None

        leftover = self.await_on_loop(leftovers, IDLE_TIMEOUT_S + CALL_TIMEOUT_S)
        assert leftover is None, (
            f"{IDLE_TIMEOUT_S}s after the test the server still holds {leftover}"
        )

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        assert self._server is not None and self._server.loop is not None, "not running"
        return self._server.loop

    @property
    def connections(self) -> set[Any]:
        """uvicorn's open connections (one protocol object each)."""
        assert self._server is not None, "the server is not running"
        return self._server.server_state.connections

    def start(self) -> None:
        if self._listener is None:
            self._listener = _listening_socket(self.bind)
            self.port = self._listener.getsockname()[1]
        self._app = create_app(self.settings)
        config = uvicorn.Config(
            self._app,
            log_config=None,
            # Typed int, awaited with asyncio.wait_for: a fraction of a second works.
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,  # type: ignore[arg-type]
        )
        self._server = _Server(config, self._app)
        # A copy for uvicorn, which closes it when it stops; the listener itself stays.
        sockets = [self._listener.dup()]
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": sockets}, name="live-server", daemon=True
        )
        self._thread.start()
        if not self._server.ready.wait(STARTUP_TIMEOUT_S):
            raise RuntimeError(f"The app did not start within {STARTUP_TIMEOUT_S}s; see its log.")

    def stop(self) -> None:
        try:
            self._stop_app()
        finally:
            if self._listener is not None:
                self._listener.close()
                self._listener = None

    def restart(self) -> None:
        """Stop and start again on the same data dir and port, as after a deploy.

        The port keeps listening meanwhile (as with a socket handed from the old process
        to the new), so a tab's reconnect waits for the new app instead of being refused.
        """
        self._stop_app()
        self.start()

    def _stop_app(self) -> None:
        if self._server is None:
            return
        self._server.exit()
        assert self._thread is not None  # started with the server
        self._thread.join(STOP_TIMEOUT_S)
        if self._thread.is_alive():
            raise RuntimeError(f"The app did not stop within {STOP_TIMEOUT_S}s.")
        self._server = None


async def _awaited(awaitable: Awaitable[T]) -> T:
    return await awaitable


def _listening_socket(address: str) -> socket.socket:
    # IPPROTO_TCP spelled out: asyncio sets TCP_NODELAY only on sockets that say so,
    # and without it every keep-alive request waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((address, 0))
    sock.listen(BACKLOG)
    return sock
