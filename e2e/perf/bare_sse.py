"""The floor, for benchmarks: the least a server can do to stream a model's answer over
SSE, in a process of its own (`python -m e2e.perf.bare_sse`, settings as DocChat's).

Same framework, server and OpenAI SDK as DocChat, and the same API shape (a chat, a
question answered 202 with its `events_url`, the answer's events): the model is asked
when the question arrives and its tokens pass through memory to the one subscriber. No
storage, no replay, no workspaces. And an upload is received as FastAPI receives a form,
then written to disk with fsync, as DocChat stores a file: no hashing, no extraction, no
index. DocChat's figures are read against this one's, measured in the same run on the
same machine.
"""

import asyncio
import json
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from fastapi import FastAPI, UploadFile
from fastapi.responses import StreamingResponse
from fastapi.sse import format_sse_event
from openai import AsyncOpenAI, AsyncStream

from web.settings import Settings

settings = Settings()
model = AsyncOpenAI(api_key=settings.openai_api_key, base_url=settings.openai_base_url)
app = FastAPI()
answers: dict[str, asyncio.Queue[str | None]] = {}
jobs: set[asyncio.Task[None]] = set()


@app.post("/api/sessions", status_code=201)
async def new_chat() -> dict[str, str]:
    return {"id": uuid.uuid4().hex}


@app.post("/api/sessions/{session_id}/messages", status_code=202)
async def ask(session_id: str, body: dict[str, str]) -> dict[str, str]:
    answer_id = uuid.uuid4().hex
    answers[answer_id] = asyncio.Queue()
    job = asyncio.create_task(_answer(answers[answer_id], body["content"]))
    jobs.add(job)
    job.add_done_callback(jobs.discard)
    return {"events_url": f"/api/messages/{answer_id}/events"}


async def _answer(tokens: asyncio.Queue[str | None], question: str) -> None:
    messages = [{"role": "user", "content": question}]
    stream = await model.post(  # as DocChat reads it: each chunk's JSON, no typed model
        "/chat/completions",
        body={"model": settings.model, "messages": messages, "stream": True},
        cast_to=object,
        stream=True,
        stream_cls=AsyncStream[Any],
    )
    async for chunk in stream:
        if chunk["choices"] and (text := chunk["choices"][0]["delta"].get("content")):
            tokens.put_nowait(text)
    tokens.put_nowait(None)


@app.get("/api/messages/{answer_id}/events")
async def events(answer_id: str) -> StreamingResponse:
    return StreamingResponse(_sent(answers.pop(answer_id)), media_type="text/event-stream")


async def _sent(tokens: asyncio.Queue[str | None]) -> AsyncIterator[bytes]:
    """As DocChat writes: all the tokens that came since the last write, as one chunk."""
    seq = 0
    while True:
        texts = [await tokens.get()] + [tokens.get_nowait() for _ in range(tokens.qsize())]
        events = []
        for text in texts:
            seq += 1
            if text is None:
                events.append(format_sse_event(data_str="{}", event="done", id=str(seq)))
                yield b"".join(events)
                return
            data = json.dumps({"text": text})
            events.append(format_sse_event(data_str=data, event="token", id=str(seq)))
        yield b"".join(events)


@app.post("/api/documents", status_code=201)
def upload(file: UploadFile) -> dict[str, int]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.data_dir / uuid.uuid4().hex, "wb") as stored:
        shutil.copyfileobj(file.file, stored)
        stored.flush()
        os.fsync(stored.fileno())
        return {"size": stored.tell()}


if __name__ == "__main__":
    uvicorn.run(app, host=settings.host, port=settings.port)  # as `python -m web` runs
