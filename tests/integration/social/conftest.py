"""The social_ingest service running for real: uvicorn on a free port, the session's broker."""

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
from social_ingest.app import create_app
from social_ingest.settings import SocialSettings
from tests.unit.social.edges import settings_for


@dataclass
class Running:
    base: str
    settings: SocialSettings
    client: httpx.AsyncClient
    app: FastAPI


@contextlib.asynccontextmanager
async def serve(settings: SocialSettings, ready: bool = True) -> AsyncIterator[Running]:
    app = create_app(settings)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=settings.port, log_config=None, access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    base = f"http://127.0.0.1:{settings.port}"
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        try:
            await _until_up(client, server, "/readyz" if ready else "/healthz")
            yield Running(base, settings, client, app)
        finally:
            server.should_exit = True
            await asyncio.wait_for(task, 10)


async def _until_up(client: httpx.AsyncClient, server: uvicorn.Server, probe: str) -> None:
    for _ in range(300):
        if server.started:
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(probe)).status_code == 200:
                    return
        await asyncio.sleep(0.05)
    raise TimeoutError("social_ingest did not become ready")


@pytest.fixture(scope="session")
async def social(kafka: str) -> AsyncIterator[Running]:
    async with serve(settings_for(kafka, free_port())) as running:
        yield running
