"""Anonymous workspaces: each browser gets one through a signed, HttpOnly cookie."""

import secrets
from http.cookies import SimpleCookie

from itsdangerous import BadSignature, Signer
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "docchat_workspace"
ONE_YEAR_S = 365 * 24 * 3600


class WorkspaceMiddleware:
    """Puts the caller's workspace id in `scope["state"]`, minting one when needed."""

    def __init__(self, app: ASGIApp, secret_key: str) -> None:
        self.app = app
        self.signer = Signer(secret_key, salt="docchat.workspace")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        workspace_id = self._read(scope)
        is_new = workspace_id is None
        if workspace_id is None:
            workspace_id = secrets.token_hex(16)
        scope.setdefault("state", {})["workspace_id"] = workspace_id

        async def send_with_cookie(message: Message) -> None:
            if is_new and message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.append("set-cookie", self._cookie(workspace_id, scope))
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _read(self, scope: Scope) -> str | None:
        raw = Request(scope).cookies.get(COOKIE)
        if not raw:
            return None
        try:
            return self.signer.unsign(raw).decode()
        except BadSignature:
            return None

    def _cookie(self, workspace_id: str, scope: Scope) -> str:
        cookie = SimpleCookie()
        cookie[COOKIE] = self.signer.sign(workspace_id).decode()
        morsel = cookie[COOKIE]
        morsel["path"] = "/"
        morsel["httponly"] = True
        morsel["samesite"] = "Lax"
        morsel["max-age"] = ONE_YEAR_S
        if scope.get("scheme") == "https":
            morsel["secure"] = True
        return morsel.OutputString()


async def workspace_of(request: Request) -> str:
    workspace: str = request.state.workspace_id
    return workspace
