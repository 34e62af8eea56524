"""Bounds on what one workspace, or one request, may hold open at once."""

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.errors import AppError
from web.fault_points import fault_point


class PerWorkspace:
    """Counts what each workspace has open, and refuses one more past the limit."""

    def __init__(self, limit: int, refusal: Callable[[int], AppError]) -> None:
        self.limit = limit
        self.refusal = refusal
        self._open: Counter[str] = Counter()

    @fault_point("slots.holding")
    @contextmanager
    def hold(self, workspace: str) -> Iterator[None]:
        if self._open[workspace] >= self.limit:
            raise self.refusal(self.limit)
        self._open[workspace] += 1
        try:
            yield
        finally:
            self._open[workspace] -= 1
            if not self._open[workspace]:
                del self._open[workspace]


def too_many_uploads(limit: int) -> AppError:
    return AppError(
        429,
        "too_many_uploads",
        f"{limit} uploads are already in progress. Wait for one to finish, then try again.",
    )


def too_many_streams(limit: int) -> AppError:
    return AppError(
        429,
        "too_many_streams",
        f"{limit} answer streams are already open, the most at once. "
        "Close other DocChat tabs, then reload this page.",
    )


def too_many_live_tabs(limit: int) -> AppError:
    tabs = "1 DocChat tab is" if limit == 1 else f"{limit} DocChat tabs are"
    return AppError(
        429,
        "too_many_tabs",
        f"{tabs} already following this workspace, the most at once. This tab will not "
        "update by itself: close other DocChat tabs, then reload it.",
    )


def body_too_large(limit: int) -> AppError:
    return AppError(
        413,
        "body_too_large",
        f"The request body is larger than {limit // 1024} KB.",
        headers={"Connection": "close"},  # don't read and discard the rest
    )


class BodyLimitMiddleware:
    """Caps request bodies; uploads (`exempt`) have a limit of their own.

    Not FastAPI's `max_body_size`: that answers some refusals in plain text (outside the
    JSON error contract), reads on to drain the body, and fixes per-route limits at
    import time, where the upload limit is a setting.

    A declared Content-Length is judged before a byte is read. A chunked body is read
    here up to the limit, then handed on: the app would read it whole anyway.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, exempt: set[tuple[str, str]]) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["method"], scope["path"]) in self.exempt:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
        elif "transfer-encoding" in headers:
            first = await self._read_chunked(receive)
            if first is None:
                await self._refuse(scope, receive, send)
            else:
                await self.app(scope, _replaying(first, receive), send)
        else:
            await self.app(scope, receive, send)

    @fault_point("body.reading_chunked")
    async def _read_chunked(self, receive: Receive) -> Message | None:
        """The whole body as one message (or the disconnect that cut it short); None once
        it passes the limit."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return message  # the client went away: the app sees that as it is
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                return None
            if not message.get("more_body"):
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = body_too_large(self.max_bytes)
        response = JSONResponse(error.body(), status_code=error.status, headers=error.headers)
        await response(scope, receive, send)


def _replaying(first: Message, receive: Receive) -> Receive:
    """`first`, then whatever comes next (a disconnect, say)."""
    pending = [first]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay
