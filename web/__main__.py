"""`python -m web` / `docchat`: serve DocChat with uvicorn, in one process or several."""

import copy
import logging

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from web.app import create_app, secret_key
from web.server import DocChatServer
from web.settings import Settings
from web.storage.sqlite import hold_data_folder

GRACEFUL_SHUTDOWN_S = 3
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"


def main() -> None:
    settings = Settings()
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    if settings.workers > 1:
        _serve_workers(settings)
        return
    # Held while this process lives (the OS lets go as it ends): SQLite's folder is one's.
    _held = None if settings.database_url else hold_data_folder(settings.data_dir)
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )
    DocChatServer(config, app).run()


def _serve_workers(settings: Settings) -> None:
    """DOCCHAT_WORKERS processes on one port (uvicorn's own workers, each making the app
    from the same environment), which share the database and the data folder."""
    if not settings.database_url:
        raise SystemExit(
            "DOCCHAT_WORKERS above 1 needs DOCCHAT_DATABASE_URL=postgresql://…: processes "
            "share a PostgreSQL database, never a SQLite file."
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    secret_key(settings)  # made here, once: each worker reads the same one
    log_config = copy.deepcopy(LOGGING_CONFIG)  # uvicorn's, and DocChat's own lines
    log_config["loggers"]["docchat"] = {"handlers": ["default"], "level": "INFO"}
    uvicorn.run(
        "web.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_config=log_config,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )


if __name__ == "__main__":  # pragma: no branch (else: imported by the docchat script)
    main()
