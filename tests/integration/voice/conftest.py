"""The voice service running for real: uvicorn on a free port, the session's broker."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from hotline_tools.devstack.broker import free_port
from tests.unit.voice.helpers import settings_for
from voice.app import create_app
from voice.settings import VoiceSettings


@dataclass
class Running:
    settings: VoiceSettings
    client: httpx.AsyncClient
    app: FastAPI


@contextlib.asynccontextmanager
async def serve(settings: VoiceSettings) -> AsyncIterator[Running]:
    app = create_app(settings)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=settings.port, log_config=None, access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    base = f"http://127.0.0.1:{settings.port}"
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        try:
            await _until_ready(client, server)
            yield Running(settings, client, app)
        finally:
            server.should_exit = True
            await asyncio.wait_for(task, 10)


async def _until_ready(client: httpx.AsyncClient, server: uvicorn.Server) -> None:
    for _ in range(600):
        if server.started:
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get("/readyz")).status_code == 200:
                    return
        await asyncio.sleep(0.05)
    raise TimeoutError("voice did not become ready")


@pytest.fixture(scope="session")
async def voice(kafka: str) -> AsyncIterator[Running]:
    async with serve(settings_for(kafka, free_port())) as running:
        yield running
