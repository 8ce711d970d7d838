"""The whole social_ingest app in process, its intake on ``MemoryPublisher`` (no broker):
requests go through the same hot path, verification, normalizers and ``hotline.intake`` as in
production; only the publisher is the fake. Also the test settings every tier shares."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from hotline.accounts import AccountRegistry
from hotline.http import ServiceState
from hotline.http.hotpath import Handler
from hotline.intake import MemoryPublisher
from social_ingest.accounts import registry_for
from social_ingest.app import create_app
from social_ingest.providers.meta import edge as meta
from social_ingest.providers.telegram import edge as telegram
from social_ingest.providers.twilio import edge as twilio
from social_ingest.providers.x import edge as x
from social_ingest.settings import SocialSettings
from social_ingest.webhook import Normalizer

META_SECRET = "it-meta-app-secret"
VERIFY_TOKEN = "it-verify-token"
X_SECRET = "it-x-consumer-secret"
TG_SECRET = "it-telegram-secret"
TWILIO_TOKEN = "it-twilio-auth-token"
PORT = 8103  # in process nothing listens; Twilio signs over the configured URL all the same


def settings_for(
    kafka: str, port: int, unset: Collection[str] = (), /, **extra: object
) -> SocialSettings:
    """Test settings; replies (and the window consumer) only where a test asks for them.
    ``unset``: settings left at their defaults (a secret unset: no environment account)."""
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
    return SocialSettings(**{k: v for k, v in {**values, **extra}.items() if k not in unset})


@dataclass
class InProcess:
    client: httpx.AsyncClient
    fake: MemoryPublisher
    settings: SocialSettings
    app: FastAPI

    @property
    def state(self) -> ServiceState:
        state = self.app.state.hotline
        assert isinstance(state, ServiceState)
        return state

    @property
    def accounts(self) -> AccountRegistry:
        accounts = self.app.state.accounts
        assert isinstance(accounts, AccountRegistry)
        return accounts

    def published_ids(self, topic: str) -> list[str]:
        return [e.event_id for e in self.fake.events_on(topic)]


@contextlib.asynccontextmanager
async def in_process(
    fake: MemoryPublisher | None = None, unset: Collection[str] = (), **extra: object
) -> AsyncIterator[InProcess]:
    """The app started as its lifespan would (the service's intake and contexts), minus the
    Kafka producer, which nothing here uses."""
    fake = fake if fake is not None else MemoryPublisher()
    settings = settings_for("127.0.0.1:1", PORT, unset, **extra)
    app = create_app(settings, publisher=fake)
    state, service = app.state.hotline, app.state.social
    await service.start(state)
    transport = httpx.ASGITransport(app=app)
    base = f"http://127.0.0.1:{PORT}"
    try:
        async with httpx.AsyncClient(transport=transport, base_url=base) as client:
            yield InProcess(client, fake, settings, app)
    finally:
        await service.close(state)
        for task in state.tasks:
            task.cancel()


def edge_with(name: str, settings: SocialSettings, run: Normalizer) -> Handler:
    """A provider's POST edge as the app builds it, but normalizing with ``run``."""
    accounts = registry_for(settings)
    if name in ("whatsapp", "messenger", "instagram"):
        return meta.post_handler(f"/webhooks/{name}", run, accounts)
    if name == "x":
        return x.post_handler(accounts, run)
    if name == "telegram":
        return telegram.post_handler(accounts, settings.telegram_bot_id, run)
    return twilio.post_handler(accounts, settings, twilio.PATHS[name == "sms-status"], run)
