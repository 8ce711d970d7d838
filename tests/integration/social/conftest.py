"""The social_ingest service running for real: uvicorn on a free port, the session's broker."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from hotline_tools.devstack.broker import free_port
from social_ingest.app import create_app
from social_ingest.settings import SocialSettings
from tests.http_helpers import serve_app, until_answers
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
    async with (
        serve_app(app, settings.port) as base,
        httpx.AsyncClient(base_url=base, timeout=10) as client,
    ):
        await until_answers(client, "/readyz" if ready else "/healthz", timeout=15)
        yield Running(base, settings, client, app)


@pytest.fixture(scope="session")
async def social(kafka: str) -> AsyncIterator[Running]:
    async with serve(settings_for(kafka, free_port())) as running:
        yield running
