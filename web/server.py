"""uvicorn's Server, made to end open answer streams first when it stops."""

import socket

import uvicorn
from fastapi import FastAPI


class DocChatServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, app: FastAPI) -> None:
        super().__init__(config)
        self.app = app

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # Without this, each open SSE stream holds the shutdown until uvicorn's
        # graceful timeout runs out and cancels it mid-response.
        self.app.state.ctx.hub.close_streams()
        await super().shutdown(sockets)
