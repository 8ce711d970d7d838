"""With a certificate configured, the SMTP intake offers STARTTLS and mail sent over it lands."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
import subprocess
from pathlib import Path

import pytest

from email_ingest.app import create_app
from hotline import events
from tests.http_helpers import serve_app, wait_ready
from tests.integration.email.conftest import DOMAIN, mail, settings_for
from tests.kafka_helpers import fresh_topic, read_all

pytestmark = pytest.mark.integration


def self_signed(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def send_over_tls(port: int, body: bytes) -> tuple[bool, int]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # a throw-away self-signed certificate
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.ehlo("client.example.test")
        offered = client.has_extn("starttls")
        client.starttls(context=context)
        client.ehlo("client.example.test")
        client.mail("jo@example.test")
        client.rcpt(f"help@{DOMAIN}")
        return offered, client.data(body)[0]


async def test_starttls(kafka: str, tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    topic = await fresh_topic(kafka)
    settings = settings_for(kafka, topic, smtp_tls_cert=cert, smtp_tls_key=key)
    app = create_app(settings, workers=[])
    async with serve_app(app):
        await wait_ready(app)
        body = mail("<tls-1@example.test>")
        offered, code = await asyncio.to_thread(send_over_tls, settings.smtp_port, body)
    assert offered and code == 250
    (record,) = await read_all(kafka, topic, expect=1, timeout=5)
    event = events.decode(record.value or b"")
    assert isinstance(event, events.MessageReceived)
    assert event.provider_message_id == "<tls-1@example.test>"
