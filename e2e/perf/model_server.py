"""The model, for benchmarks: an OpenAI-compatible chat server in a process of its own
(`python -m e2e.perf.model_server`), streaming as many tokens as scripted, as fast as
scripted.

`PUT /script {"tokens": n, "pace_s": s, "filler": text}` sets what every completion
streams from then on. Each token carries the moment it was emitted (" 17@<epoch ns>",
then the filler), so a client on the same machine can tell how long the servers between
took to pass it on.
"""

import asyncio
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from e2e.harness.model.dialects import chunk, event

EMITTED_AT = re.compile(r"@(\d+)")
scripted: dict[str, Any] = {"tokens": 20, "pace_s": 0.0, "filler": ""}


def script(url: str, tokens: int, pace_s: float = 0.0, filler: str = "") -> None:
    """What the model at `url` streams for every question from now on."""
    settings = {"tokens": tokens, "pace_s": pace_s, "filler": filler}
    httpx.put(f"{url}/script", json=settings).raise_for_status()


def emitted_ns(token: str) -> int:
    """When the model emitted a token (time.time_ns() on this machine)."""
    stamp = EMITTED_AT.search(token)
    assert stamp is not None, f"No emission time in {token!r}"
    return int(stamp.group(1))


async def _set_script(request: Request) -> Response:
    scripted.update(await request.json())
    return Response(status_code=204)


async def _completion(_: Request) -> StreamingResponse:
    tokens = _stream(scripted["tokens"], scripted["pace_s"], scripted["filler"])
    return StreamingResponse(tokens, media_type="text/event-stream")


async def _stream(tokens: int, pace_s: float, filler: str) -> AsyncIterator[bytes]:
    yield event(chunk({"role": "assistant", "content": ""}))
    for n in range(tokens):
        if pace_s:
            await asyncio.sleep(pace_s)  # a model's pace, not a wait for something
        yield event(chunk({"content": f" {n}@{time.time_ns()}{filler}"}))
    yield event(chunk({}, finish_reason="stop"))
    yield b"data: [DONE]\n\n"


app = Starlette(
    routes=[
        Route("/script", _set_script, methods=["PUT"]),
        Route("/v1/chat/completions", _completion, methods=["POST"]),
    ]
)


def main() -> None:
    uvicorn.run(app, host="127.0.0.1", port=0, log_level="info", access_log=False)


if __name__ == "__main__":
    main()
