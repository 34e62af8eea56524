"""`python -m web` / `docchat`: serve DocChat with uvicorn."""

import logging

import uvicorn

from web.app import create_app
from web.server import DocChatServer
from web.settings import Settings

GRACEFUL_SHUTDOWN_S = 3


def main() -> None:
    settings = Settings()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )
    DocChatServer(config, app).run()


if __name__ == "__main__":  # pragma: no branch (else: imported by the docchat script)
    main()
