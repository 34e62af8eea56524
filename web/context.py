"""What request handlers share: settings, storage, the stream hub, the answerer."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from web.leases import Lease
from web.limits import PerWorkspace
from web.llm.answerers import Answerer
from web.settings import Settings
from web.storage import BlobStore, Database
from web.streams.hub import StreamHub
from web.workspaces import workspace_of


@dataclass
class AppContext:
    settings: Settings
    db: Database
    blobs: BlobStore
    hub: StreamHub
    answerer: Answerer
    uploads: PerWorkspace
    streams: PerWorkspace
    live_tabs: PerWorkspace
    lease: Lease  # this process's, on the answers and documents it works on


async def _context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


Ctx = Annotated[AppContext, Depends(_context)]
Workspace = Annotated[str, Depends(workspace_of)]
