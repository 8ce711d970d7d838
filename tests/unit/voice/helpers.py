"""Shared by the voice tests: the fixtures, a fixed context, signed requests, the app in
process on ``MemoryPublisher`` (the real hot path, verification, normalizer and intake)."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from hotline import twilio
from hotline.intake import MemoryPublisher
from voice.app import create_app
from voice.calls import CallContext
from voice.settings import VoiceSettings

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "voice" / "twilio"
ACCOUNT = "AC0123456789abcdef0123456789abcdef"
CALL = "CA5f2c0e9d1b8a4c7e6f3d2a1b0c9e8d7f"
RECORDING = "RE0f1e2d3c4b5a69788796a5b4c3d2e1f0"
CALLER, LINE = "+4930123456789", "+4930555000111"
TOKEN = "it-twilio-voice-token"
T0 = datetime(2026, 12, 7, 9, 0, 5, tzinfo=UTC)
CTX = CallContext("acme", ACCOUNT, T0, "DE")
PATH = "/webhooks/voice/twilio"
BLOBS = Path(tempfile.gettempdir()) / "hotline-voice-test-blobs"


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.form").read_bytes()


def form(name: str) -> twilio.Form:
    return twilio.parse_form(fixture(name))


def settings_for(kafka: str, port: int, **extra: Any) -> VoiceSettings:
    values: dict[str, Any] = {
        "env": "test",
        "kafka_bootstrap": kafka,
        "port": port,
        "default_tenant": "acme",
        "twilio_account_sid": ACCOUNT,
        "twilio_auth_token": SecretStr(TOKEN),
        "twilio_webhook_url": f"http://127.0.0.1:{port}{PATH}",
        "default_region": "DE",
        "ack_timeout": 3.0,
        # recordings are copied before publish (as in make run), from local stand-ins only
        "recordings_copy": True,
        "recording_hosts": ("127.0.0.1",),
        "recording_budget": 3.0,
        "blob_dir": BLOBS,
    }
    return VoiceSettings(**{**values, **extra})


def signed(body: bytes, url: str, token: str = TOKEN) -> dict[str, str]:
    """The headers Twilio sends with a form callback to ``url`` (query included)."""
    pairs = twilio.parse_form(body).pairs
    return {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": twilio.sign(token.encode(), url, pairs),
    }


@dataclass
class InProcess:
    client: httpx.AsyncClient
    fake: MemoryPublisher
    settings: VoiceSettings
    app: FastAPI

    async def post(self, body: bytes, query: str = "", token: str = TOKEN) -> httpx.Response:
        url = self.settings.twilio_webhook_url + (f"?{query}" if query else "")
        return await self.client.post(url, content=body, headers=signed(body, url, token))


@contextlib.asynccontextmanager
async def in_process(**extra: Any) -> AsyncIterator[InProcess]:
    """The app with its start-up hook run (the intake) on a fake publisher; no broker."""
    fake = MemoryPublisher()
    settings = settings_for("127.0.0.1:1", 8105, **extra)
    app = create_app(settings, publisher=fake)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8105") as c:
            yield InProcess(c, fake, settings, app)
