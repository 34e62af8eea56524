"""create_app(settings) -> FastAPI: wiring only."""

import asyncio
import functools
import logging
import os
import secrets
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from web import isolation, views, workspace_stream
from web.api_models import Health
from web.chat import answer_stream
from web.chat import routes as chat_routes
from web.chat.recovery import keep_lease
from web.context import AppContext
from web.documents import repository as doc_repo
from web.documents import routes as document_routes
from web.errors import install_error_handlers, no_nul_in_path
from web.leases import Lease, forever
from web.limits import (
    BodyLimitMiddleware,
    PerWorkspace,
    too_many_live_tabs,
    too_many_streams,
    too_many_uploads,
)
from web.llm.answerers import Answerer, OfflineAnswerer, OpenAIAnswerer
from web.security import SameOriginMiddleware, SecurityHeadersMiddleware
from web.settings import Settings
from web.storage import BlobStore, open_database
from web.streams.hub import StreamHub
from web.streams.wake_tabs import WakeLiveTabs
from web.workspaces import WorkspaceMiddleware

log = logging.getLogger("docchat")
FOLLOW_AGAIN_S = 1.0  # after the database's notifications were lost
# Another process's upload may be mid-way, or its blob just stored and its row to come.
SHARED_LEFTOVER_AGE_S = 3600.0


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        isolation.warm_up()
        ctx = open_context(settings)
        app.state.ctx = ctx
        if not ctx.db.shared:  # whatever was being done when it last stopped, is not
            ctx.lease.forget_others()
        await keep_lease(ctx)
        untouched_s = SHARED_LEFTOVER_AGE_S if ctx.db.shared else 0
        ctx.blobs.clear_crash_leftovers(doc_repo.shas_in_use(ctx.db), untouched_s)
        in_step = _keep_in_step(ctx)
        log.info("DocChat ready (data in %s, %s)", settings.data_dir, _answerer_label(ctx))
        try:
            yield
        finally:
            for task in in_step:
                task.cancel()
            await asyncio.wait(in_step)
            await ctx.hub.shutdown()
            ctx.lease.release()
            await ctx.answerer.close()
            ctx.db.close()

    app = FastAPI(title="DocChat", lifespan=lifespan, dependencies=[Depends(no_nul_in_path)])
    app.add_middleware(WakeLiveTabs)  # inside WorkspaceMiddleware: it knows the workspace
    app.add_middleware(WorkspaceMiddleware, secret_key=secret_key(settings))
    app.add_middleware(SameOriginMiddleware)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_kb * 1024,
        exempt={("POST", document_routes.router.prefix)},  # uploads: max_upload_mb
    )
    app.add_middleware(SecurityHeadersMiddleware)
    install_error_handlers(app)
    for module in (document_routes, chat_routes, answer_stream, workspace_stream, views):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(packages=[("web", "static")]), name="static")

    @app.get("/healthz", tags=["health"], response_model=Health)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _keep_in_step(ctx: AppContext) -> list[asyncio.Task[None]]:
    """What keeps this process in step with the others until shutdown: its lease (and the
    sweep of the work of those that died; renewed at start already), and hearing what
    they write."""
    renewal_s = ctx.settings.lease_s / 3
    lease = forever(
        functools.partial(keep_lease, ctx), "renewing the lease", renewal_s, done_once=True
    )
    others = forever(
        functools.partial(_follow_others, ctx), "following the other processes", FOLLOW_AGAIN_S
    )
    return [asyncio.create_task(lease), asyncio.create_task(others)]


async def _follow_others(ctx: AppContext) -> None:
    await ctx.db.follow_writes(ctx.hub.heard, ctx.hub.wake_all)


def open_context(settings: Settings) -> AppContext:
    db = open_database(settings.database_url or str(settings.data_dir / "docchat.sqlite3"))
    return AppContext(
        settings=settings,
        db=db,
        blobs=BlobStore(settings.data_dir / "blobs"),
        hub=StreamHub(db),
        answerer=_answerer(settings),
        uploads=PerWorkspace(settings.max_uploads_per_workspace, too_many_uploads),
        streams=PerWorkspace(settings.max_streams_per_workspace, too_many_streams),
        live_tabs=PerWorkspace(settings.max_live_tabs_per_workspace, too_many_live_tabs),
        lease=Lease(db, settings.lease_s),
    )


def _answerer(settings: Settings) -> Answerer:
    return OpenAIAnswerer(settings) if settings.openai_api_key else OfflineAnswerer()


def _answerer_label(ctx: AppContext) -> str:
    if ctx.answerer.offline:
        return "offline answers: no OpenAI API key"
    return f"model {ctx.settings.model}"


def secret_key(settings: Settings) -> str:
    """The configured key, or one generated once and kept in the data dir."""
    if settings.secret_key:
        return settings.secret_key
    path: Path = settings.data_dir / "secret_key"
    if not path.exists():
        # mkstemp creates it readable by its owner only, from the first byte; the rename
        # means no start ever finds a key file half written.
        fd, temp = tempfile.mkstemp(dir=settings.data_dir, prefix=".secret_key.")
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(32))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    return path.read_text().strip()
