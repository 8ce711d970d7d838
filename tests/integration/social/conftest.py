"""The social_ingest service running for real: uvicorn on a free port, the session's broker."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from hotline_tools.devstack.broker import free_port
from social_ingest.app import create_app
from social_ingest.settings import SocialSettings

META_SECRET = "it-meta-app-secret"
VERIFY_TOKEN = "it-verify-token"
X_SECRET = "it-x-consumer-secret"
TG_SECRET = "it-telegram-secret"
TWILIO_TOKEN = "it-twilio-auth-token"


@dataclass
class Running:
    base: str
    settings: SocialSettings
    client: httpx.AsyncClient
    app: FastAPI


def settings_for(kafka: str, port: int, **extra: object) -> SocialSettings:
    """Test settings; replies (and the window consumer) only where a test asks for them."""
    secrets = {
        "meta_app_secret": META_SECRET,
        "meta_verify_token": VERIFY_TOKEN,
        "x_consumer_secret": X_SECRET,
        "telegram_secret_token": TG_SECRET,
        "twilio_auth_token": TWILIO_TOKEN,
        "whatsapp_token": "it-wa-token",
        "meta_page_token": "it-page-token",
        "telegram_bot_token": "it-bot-token",
        "x_bearer_token": "it-x-bearer",
    }
    values: dict[str, Any] = {
        "env": "test",
        "kafka_bootstrap": kafka,
        "port": port,
        "default_tenant": "acme",
        "twilio_webhook_url": f"http://127.0.0.1:{port}/webhooks/sms",
        "twilio_status_url": f"http://127.0.0.1:{port}/webhooks/sms/status",
        "ack_timeout": 3.0,
        "replies_enabled": False,
        **{k: SecretStr(v) for k, v in secrets.items()},
    }
    return SocialSettings(**{**values, **extra})


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
