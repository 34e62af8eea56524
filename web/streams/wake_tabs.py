"""After a request that may have changed something, its workspace's tabs look.

Every change records its workspace event in the same transaction as itself, so once the
handler is done the events are in the log; this only wakes the tabs that follow it. A
change made mid-request (an upload's row, before its text is read) wakes them itself.
"""

from starlette.types import ASGIApp, Receive, Scope, Send

READ_ONLY = frozenset({"GET", "HEAD", "OPTIONS"})


class WakeLiveTabs:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            if scope["type"] == "http" and scope["method"] not in READ_ONLY:
                hub = scope["app"].state.ctx.hub
                hub.wake_workspace(scope["state"]["workspace_id"])
