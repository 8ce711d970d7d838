"""Run an ASGI app under a real uvicorn server on a free loopback port, inside the test loop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import uvicorn
from fastapi import FastAPI

from hotline_tools.devstack.broker import free_port


@contextlib.asynccontextmanager
async def serve_app(app: FastAPI, port: int | None = None) -> AsyncIterator[str]:
    port = port or free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_config=None,
        lifespan="on",
        access_log=False,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)


async def wait_ready(app: FastAPI, timeout: float = 15.0) -> None:
    """Wait until the app's producer has connected (the lifespan starts it in the background)."""
    state = app.state.hotline
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not state.producer.started:
        if loop.time() > deadline:
            raise TimeoutError("producer did not connect")
        await asyncio.sleep(0.05)


async def until_answers(client: httpx.AsyncClient, probe: str, timeout: float) -> None:
    """Poll ``probe`` until it answers 200 (a service's lifespan connects in the background)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if (await client.get(probe)).status_code == 200:
                return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"{probe} did not answer 200 within {timeout}s")
