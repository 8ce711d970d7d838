"""The voice service running for real: uvicorn on a free port, the session's broker."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from hotline_tools.devstack.broker import free_port
from tests.http_helpers import serve_app, until_answers
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
    async with (
        serve_app(app, settings.port) as base,
        httpx.AsyncClient(base_url=base, timeout=10) as client,
    ):
        await until_answers(client, "/readyz", timeout=30)
        yield Running(settings, client, app)


@pytest.fixture(scope="session")
async def voice(kafka: str) -> AsyncIterator[Running]:
    async with serve(settings_for(kafka, free_port())) as running:
        yield running
