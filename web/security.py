"""Security headers on every response (a strict Content-Security-Policy among them), and
no state-changing request from another site."""

from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CROSS_SITE = {
    "error": {
        "code": "cross_site",
        "message": "Requests from other sites are refused. Use DocChat from its own pages.",
    }
}


class SameOriginMiddleware:
    """Refuses POST/PATCH/DELETE that a browser says come from another site.

    Browsers send Origin (and Sec-Fetch-Site) with such requests; tools like curl send
    neither and are let through, as they carry no one else's cookie.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        unsafe = scope["type"] == "http" and scope["method"] not in SAFE_METHODS
        if unsafe and _cross_site(Headers(scope=scope)):
            await JSONResponse(CROSS_SITE, status_code=403)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _cross_site(headers: Headers) -> bool:
    # The browser's own word (Fetch Metadata) where it gives one: it holds behind a proxy
    # that rewrites Host (nginx's default), where Origin and Host differ.
    if site := headers.get("sec-fetch-site"):
        return site not in ("same-origin", "none")
    origin = headers.get("origin")
    if origin is None:
        return False
    try:
        return origin == "null" or urlsplit(origin).netloc != headers.get("host")
    except ValueError:  # not a URL at all ("http://[::1", say): no page of ours sent it
        return True
