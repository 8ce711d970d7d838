"""A real email_ingest with every inbound mail provider configured, on a fresh topic of the
session broker; the recorded captures re-signed for the current time and posted over HTTP."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest
from pydantic import SecretStr

from email_ingest.app import create_app
from email_ingest.providers.settings import (
    CloudMailinSettings,
    MailgunSettings,
    MandrillSettings,
    PostmarkSettings,
    SendGridSettings,
    SesSettings,
)
from email_ingest.settings import EmailSettings
from hotline import events
from hotline.capture import HttpRequest
from hotline.intake import MemoryPublisher
from tests.http_helpers import serve_app, wait_ready
from tests.integration.email.conftest import NO_BROKER, settings_for
from tests.kafka_helpers import fresh_topic, read_all, total_records
from tests.unit.email_providers.helpers import capture

MAILGUN_KEY = "mailgun-signing-key-for-hotline-0001"
POSTMARK_AUTH = "postmark:pm-inbound-password-for-hotline-0001"
SENDGRID_AUTH = "sendgrid:sg-parse-password-for-hotline-0001"
SES_TOPIC = "arn:aws:sns:us-east-1:123456789012:hotline-inbound"
CLOUDMAILIN_AUTH = "cloudmailin:cm-password-for-hotline-0001"
MANDRILL_KEY = "mandrill-webhook-key-for-hotline-01"
MANDRILL_URL = "https://hooks.acme.test/inbound/email/mandrill"  # as configured at Mandrill


def provider_settings() -> dict[str, object]:
    return {
        "mailgun": MailgunSettings(
            signing_keys=[SecretStr("mailgun-key-rotated-in-0002"), SecretStr(MAILGUN_KEY)]
        ),
        "postmark": PostmarkSettings(basic_auth=[SecretStr(POSTMARK_AUTH)]),
        "sendgrid": SendGridSettings(basic_auth=[SecretStr(SENDGRID_AUTH)]),
        "ses": SesSettings(
            topic_arns=[SES_TOPIC],
            cert_url_pattern=r"^http://127\.0\.0\.1:\d+/certs/[^?#]*\.pem$",
            subscribe_url_pattern=r"^http://127\.0\.0\.1:\d+/confirm\?",
        ),
        "cloudmailin": CloudMailinSettings(basic_auth=[SecretStr(CLOUDMAILIN_AUTH)]),
        "mandrill": MandrillSettings(webhook_keys=[SecretStr(MANDRILL_KEY)], url=MANDRILL_URL),
    }


@dataclass
class Service:
    url: str
    topic: str
    settings: EmailSettings


@pytest.fixture(scope="module")
async def providers_service(kafka: str) -> AsyncIterator[Service]:
    topic = await fresh_topic(kafka)
    settings = settings_for(kafka, topic, **provider_settings())
    app = create_app(settings, workers=[])
    async with serve_app(app) as url:
        await wait_ready(app)
        yield Service(url, topic, settings)


@dataclass
class FakeService:
    url: str
    publisher: MemoryPublisher


@pytest.fixture(scope="module")
async def fake_providers() -> AsyncIterator[FakeService]:
    """The same app on an in-memory publisher that can be switched off (Kafka down)."""
    settings = settings_for(NO_BROKER, "hotline.inbound.email", **provider_settings())
    publisher = MemoryPublisher()
    app = create_app(settings, workers=[], publisher=publisher)
    async with serve_app(app) as url:
        yield FakeService(url, publisher)


async def post(base: str, req: HttpRequest) -> httpx.Response:
    headers = {k: v for k, v in req.headers.items() if k not in ("host", "content-length")}
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.post(base + req.path, content=req.body, headers=headers)


def mailgun_now(name: str, key: str = MAILGUN_KEY, at: float | None = None) -> HttpRequest:
    """A recorded Mailgun capture with a fresh timestamp, token and signature."""
    req = capture("mailgun", name)
    pairs = parse_qsl(req.body.decode(), keep_blank_values=True)
    ts, token = (
        str(int(time.time() if at is None else at)),
        hashlib.sha256(req.body).hexdigest()[:50],
    )
    sig = hmac.new(key.encode(), (ts + token).encode(), hashlib.sha256).hexdigest()
    fresh = {"timestamp": ts, "token": token, "signature": sig}
    body = urlencode([(k, fresh.get(k, v)) for k, v in pairs]).encode()
    return HttpRequest(req.method, req.url, dict(req.headers), body)


async def with_message_id(bootstrap: str, topic: str, mid: str) -> list[events.MessageReceived]:
    return [e for e in await messages(bootstrap, topic) if e.provider_message_id == mid]


async def messages(bootstrap: str, topic: str) -> list[events.MessageReceived]:
    out = []
    for record in await read_all(bootstrap, topic, timeout=5):
        event = events.decode(record.value or b"")
        assert isinstance(event, events.MessageReceived)
        out.append(event)
    return out


async def produced(bootstrap: str, topic: str) -> int:
    return await total_records(bootstrap, topic, topic + ".dlq")
