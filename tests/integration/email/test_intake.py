"""Mail in through swaks, smtplib and the webhook lands on the real broker; poison lands on the
dead-letter topic with its raw bytes and reason; with Kafka down SMTP says 451, HTTP 503."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import smtplib
import subprocess
import sys
import tempfile
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest

from email_ingest.app import create_app
from hotline import events
from hotline.blobs import LocalBlobStore
from hotline.kafka import DLQ_HEADER_PREFIX
from hotline_tools.devstack.broker import free_port
from tests.http_helpers import serve_app
from tests.integration.email.conftest import (
    DOMAIN,
    SECRET,
    Offsets,
    Service,
    mail,
    settings_for,
    signed_headers,
)
from tests.kafka_helpers import fresh_topic, read_all

REPO = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.integration


async def events_on(bootstrap: str, topic: str) -> list[events.MessageReceived]:
    out = []
    for record in await read_all(bootstrap, topic, timeout=5):
        event = events.decode(record.value or b"")
        assert isinstance(event, events.MessageReceived)
        out.append(event)
    return out


async def find(bootstrap: str, topic: str, message_id: str) -> events.MessageReceived:
    matches = [e for e in await events_on(bootstrap, topic) if e.provider_message_id == message_id]
    assert len(matches) == 1, f"{message_id}: {len(matches)} events"
    return matches[0]


async def test_swaks_mail_lands_on_kafka(kafka: str, email_service: Service) -> None:
    proc = await asyncio.create_subprocess_exec(
        "swaks", "-s", "127.0.0.1", "-p", str(email_service.smtp_port),
        "-f", "jo@example.test", "-t", f"reply+tok9@reply.{DOMAIN},help@{DOMAIN}",
        "--h-Subject", "Printer on fire", "--h-Message-Id", "<swaks-1@example.test>",
        "--body", "It is burning.",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 0, out.decode()
    assert b"<-  250 2.0.0 OK" in out
    event = await find(kafka, email_service.topic, "<swaks-1@example.test>")
    assert isinstance(event.content, events.EmailContent)
    assert event.content.subject == "Printer on fire"
    assert event.content.text.strip() == "It is burning."
    assert event.thread.reply_token == "tok9"  # from the envelope recipient
    assert event.tenant == "acme" and event.sender.identifiers[0].value == "jo@example.test"


def send_with_smtplib(port: int, msg: EmailMessage) -> dict[str, tuple[int, bytes]]:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.ehlo("client.example.test")
        assert client.has_extn("size") and client.has_extn("smtputf8")
        return client.send_message(msg)


async def test_smtplib_mail_with_attachment_lands_and_blob_is_stored(
    kafka: str, email_service: Service
) -> None:
    msg = EmailMessage()
    msg["From"], msg["To"] = "Jö <jo@example.test>", f"support@{DOMAIN}"
    msg["Subject"], msg["Message-ID"] = "Rechnung für Mai", "<smtplib-1@example.test>"
    msg.set_content("Anbei die Rechnung.")
    msg.add_attachment(b"%PDF-1.4 fake", maintype="application", subtype="pdf", filename="rä.pdf")
    refused = await asyncio.to_thread(send_with_smtplib, email_service.smtp_port, msg)
    assert refused == {}
    event = await find(kafka, email_service.topic, "<smtplib-1@example.test>")
    assert isinstance(event.content, events.EmailContent)
    assert event.content.subject == "Rechnung für Mai"
    (attachment,) = event.attachments
    assert (attachment.filename, attachment.mime_type) == ("rä.pdf", "application/pdf")
    assert LocalBlobStore(email_service.blob_dir).get(attachment.ref) == b"%PDF-1.4 fake"


async def test_webhook_mail_lands_on_kafka(kafka: str, email_service: Service) -> None:
    body = mail("<hook-1@example.test>", subject="Via webhook")
    async with httpx.AsyncClient() as client:
        resp = await client.post(
            f"{email_service.url}/inbound/email", content=body, headers=signed_headers(body)
        )
    assert resp.status_code == 202, resp.text
    event = await find(kafka, email_service.topic, "<hook-1@example.test>")
    assert resp.json() == {"status": "published", "event_id": event.event_id, "reason": None}


async def test_a_resent_mail_adds_no_second_record(kafka: str, email_service: Service) -> None:
    body = mail("<resent-1@example.test>", subject="Sent again after a lost 250")
    for _ in range(2):  # the client never saw our 250 and sends the same mail again
        code, _ = await asyncio.to_thread(data_reply, email_service.smtp_port, body)
        assert code == 250
    async with httpx.AsyncClient() as client:  # and a relay posts it to the webhook too
        resp = await client.post(
            f"{email_service.url}/inbound/email", content=body, headers=signed_headers(body)
        )
    event = await find(kafka, email_service.topic, "<resent-1@example.test>")  # exactly one
    assert resp.json() == {"status": "published", "event_id": event.event_id, "reason": None}


def sendmail(port: int, body: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.sendmail("jo@example.test", [f"s@{DOMAIN}"], body)


def data_reply(port: int, body: bytes) -> tuple[int, bytes]:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.ehlo("x")
        smtp.mail("jo@example.test")
        smtp.rcpt(f"s@{DOMAIN}")
        return smtp.data(body)


def deep_mail(depth: int = 101) -> bytes:
    nest = "".join(
        f"Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n" for i in range(depth)
    )
    return (
        mail("<deep@example.test>").split(b"\r\n\r\n")[0] + b"\r\n" + nest.encode() + b"\r\nx\r\n"
    )


async def test_poison_goes_to_the_dead_letter_topic_with_bytes_and_reason(
    kafka: str, email_service: Service, offsets: Offsets
) -> None:
    body = deep_mail()
    before = await offsets.now()
    async with httpx.AsyncClient() as client:
        resp = await client.post(
            f"{email_service.url}/inbound/email", content=body, headers=signed_headers(body)
        )
    assert resp.status_code == 202
    assert resp.json()["status"] == "dead_lettered"
    await asyncio.to_thread(sendmail, email_service.smtp_port, body)  # 250: kept for review
    after = await offsets.now()
    topic, dlq = offsets.tps
    assert (after[topic] - before[topic], after[dlq] - before[dlq]) == (0, 2)
    records = await read_all(kafka, dlq.topic, timeout=5)
    assert [r.value for r in records[-2:]] == [body, body]
    headers = dict(records[-1].headers)
    assert headers[DLQ_HEADER_PREFIX + "reason"] == b"mime_too_deep"
    assert headers[DLQ_HEADER_PREFIX + "source_topic"] == b"smtp"


async def test_kafka_unavailable_means_451_and_503(kafka: str) -> None:
    dead = f"127.0.0.1:{free_port()}"  # nothing listens there
    settings = settings_for(dead, "hotline.inbound.email", ack_timeout=0.5)
    app = create_app(settings, workers=[])
    body = mail("<down-1@example.test>")
    async with serve_app(app) as url:
        async with httpx.AsyncClient() as client:
            resp = await client.post(
                f"{url}/inbound/email", content=body, headers=signed_headers(body)
            )
        assert resp.status_code == 503 and resp.json()["error"] == "kafka_unavailable"
        code, text = await asyncio.to_thread(data_reply, settings.smtp_port, body)
        assert code == 451, text


async def test_python_m_email_ingest_serves_http_and_smtp(kafka: str) -> None:
    topic = await fresh_topic(kafka)
    http_port, smtp_port = free_port(), free_port()
    env = {
        **os.environ, "HOTLINE_ROOT": str(REPO), "HOTLINE_ENV": "test",
        "HOTLINE_KAFKA_BOOTSTRAP": kafka, "HOTLINE_PORT": str(http_port),
        "HOTLINE_SMTP_PORT": str(smtp_port), "HOTLINE_RECIPIENT_DOMAINS": f'["{DOMAIN}"]',
        "HOTLINE_INBOUND_TOPIC": topic, "HOTLINE_WEBHOOK_SECRETS": f'["{SECRET.decode()}"]',
        "HOTLINE_BLOB_DIR": tempfile.mkdtemp(prefix="email-main-blobs-"),
    }  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-m", "email_ingest"], env=env)
    try:
        async with httpx.AsyncClient() as client:
            ready = await wait_http_ready(client, f"http://127.0.0.1:{http_port}/readyz")
        assert ready == {"kafka": True, "accounts": True, "smtp": True}  # accounts: the feed
        body = mail("<main-1@example.test>")
        assert await asyncio.to_thread(data_reply_to, smtp_port, body) == 250
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    assert proc.returncode in (0, -signal.SIGTERM)  # uvicorn re-raises the signal after shutdown
    (record,) = await read_all(kafka, topic, expect=1, timeout=5)
    assert b"<main-1@example.test>" in (record.value or b"")


async def wait_http_ready(client: httpx.AsyncClient, url: str, timeout: float = 30) -> object:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            resp = await client.get(url)
            if resp.status_code == 200:
                return resp.json()["checks"]
        await asyncio.sleep(0.1)
    raise TimeoutError(url)


def data_reply_to(port: int, body: bytes) -> int:
    return data_reply(port, body)[0]
