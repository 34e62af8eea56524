"""`python -m web` / `docchat`: serve DocChat with uvicorn."""

import logging

import uvicorn

from web.app import create_app
from web.settings import Settings

GRACEFUL_SHUTDOWN_S = 3


def main() -> None:
    settings = Settings()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )


if __name__ == "__main__":
    main()
