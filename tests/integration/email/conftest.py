"""A real email_ingest (HTTP + SMTP from its lifespan) on a fresh topic of the session broker."""

from __future__ import annotations

import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from pydantic import SecretStr

from email_ingest.app import create_app
from email_ingest.settings import EmailSettings
from email_ingest.verify import sign
from hotline.intake import MemoryPublisher
from hotline_tools.devstack.broker import free_port
from tests.http_helpers import serve_app, wait_ready
from tests.kafka_helpers import fresh_topic

SECRET = b"s3cret-for-email-tests-0123456789"
DOMAIN = "acme.test"
SMTP_MAX = 64 * 1024
NO_BROKER = "127.0.0.1:9"  # nothing listens: the producer never connects


@dataclass
class Service:
    url: str
    smtp_port: int
    topic: str
    blob_dir: Path
    settings: EmailSettings


def settings_for(bootstrap: str, topic: str, **extra: object) -> EmailSettings:
    values: dict[str, object] = {
        "env": "test",
        "kafka_bootstrap": bootstrap,
        "default_tenant": "acme",
        "inbound_topic": topic,
        "blob_dir": Path(tempfile.mkdtemp(prefix="email-blobs-")),
        "webhook_secrets": [SecretStr(SECRET.decode())],
        "webhook_max_bytes": SMTP_MAX,
        "smtp_port": free_port(),
        "smtp_max_bytes": SMTP_MAX,
        "recipient_domains": [DOMAIN],
        "reply_domains": ["reply." + DOMAIN],
        "ack_timeout": 3.0,
        **extra,
    }
    return EmailSettings(**values)  # type: ignore[arg-type]


@dataclass
class FakeService:
    """email_ingest whose accepted mail goes to an in-memory publisher (no broker)."""

    url: str
    smtp_port: int
    publisher: MemoryPublisher


@pytest.fixture(scope="module")
async def fake_email() -> AsyncIterator[FakeService]:
    settings = settings_for(NO_BROKER, "hotline.inbound.email")
    publisher = MemoryPublisher()
    app = create_app(settings, workers=[], publisher=publisher)
    async with serve_app(app) as url:
        yield FakeService(url, settings.smtp_port, publisher)


@pytest.fixture(scope="module")
async def email_service(kafka: str) -> AsyncIterator[Service]:
    topic = await fresh_topic(kafka)
    settings = settings_for(kafka, topic)
    app = create_app(settings, workers=[])
    async with serve_app(app) as url:
        await wait_ready(app)
        yield Service(url, settings.smtp_port, topic, settings.blob_dir, settings)


class Offsets:
    """End offsets of a topic and its dead-letter topic, read on one open consumer."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
        self.tps = [TopicPartition(topic, 0), TopicPartition(topic + ".dlq", 0)]

    async def now(self) -> dict[TopicPartition, int]:
        ends: dict[TopicPartition, int] = await self.consumer.end_offsets(self.tps)
        return ends


@pytest.fixture(scope="module")
async def offsets(kafka: str, email_service: Service) -> AsyncIterator[Offsets]:
    checker = Offsets(kafka, email_service.topic)
    await checker.consumer.start()
    try:
        yield checker
    finally:
        await checker.consumer.stop()


def signed_headers(body: bytes, secret: bytes = SECRET, ts: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if ts is None else ts)
    return {
        "content-type": "message/rfc822",
        "x-hotline-timestamp": stamp,
        "x-hotline-signature": sign(secret, stamp, body),
    }


def mail(message_id: str, subject: str = "Help", body: str = "Hello\r\n", to: str = "") -> bytes:
    return (
        f"From: Jo <jo@example.test>\r\nTo: {to or 'support@' + DOMAIN}\r\n"
        f"Subject: {subject}\r\nMessage-ID: {message_id}\r\n"
        f"Date: Tue, 24 Nov 2026 12:00:00 +0000\r\n\r\n{body}"
    ).encode()
