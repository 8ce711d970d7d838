"""The shared HTTP edge: 400 / 422 with the path / 413 before the body is read / 503 — and in
every bad case nothing reaches Kafka. Also /healthz, /readyz, /metrics."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import msgspec
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import Response

from hotline import events as ev
from hotline.http import create_service_app, decode_json
from hotline.intake import Intake, KafkaPublisher, Publish
from hotline.intake.http import response_for
from hotline.settings import ServiceSettings
from hotline.topics import INBOUND_SOCIAL
from hotline_tools.devstack.broker import free_port
from tests.http_helpers import serve_app, wait_ready
from tests.kafka_helpers import total_records

pytestmark = pytest.mark.integration
LIMIT = 4096


class ToySender(msgspec.Struct):
    id: str
    name: str | None = None


class ToyMessage(msgspec.Struct):
    id: str
    sender: ToySender
    text: str


def toy_app(bootstrap: str, ack_timeout: float = 5.0) -> FastAPI:
    settings = ServiceSettings(
        service="toy", kafka_bootstrap=bootstrap, max_body_bytes=LIMIT, ack_timeout=ack_timeout
    )
    app = create_service_app(settings)
    state = app.state.hotline
    intake = Intake(KafkaPublisher(state.producer), state.metrics)

    @app.post("/toy")
    async def toy(request: Request) -> Response:
        msg = decode_json(await request.body(), ToyMessage)
        event = ev.MessageReceived(
            event_id=ev.event_id_for("acme", "telegram", msg.id, "msg"),
            tenant="acme",
            channel=ev.ChannelRef(kind="telegram", account_id="bot"),
            provider_message_id=msg.id,
            received_at=datetime.now(UTC),
            conversation_key=f"acme/telegram/{msg.sender.id}",
            sender=ev.Sender(handle=msg.sender.id),
            content=ev.TextContent(text=msg.text),
        )
        return response_for(await intake.take(Publish([event])))

    return app


@pytest.fixture(scope="module")
async def toy(kafka: str) -> AsyncIterator[str]:
    app = toy_app(kafka)
    async with serve_app(app) as url:
        await wait_ready(app)
        yield url


GOOD = b'{"id": "m1", "sender": {"id": "42"}, "text": "hello"}'
BAD_CASES = [
    ("malformed-json", b'{"id": "m1", "sender": ', 400, "malformed", None),
    ("not-json", b"\xff\xfe garbage", 400, "malformed", None),
    ("empty-body", b"", 400, "malformed", None),
    (
        "wrong-type",
        b'{"id": "m1", "sender": {"id": 42}, "text": "x"}',
        422,
        "schema_mismatch",
        "$.sender.id",
    ),
    ("missing-field", b'{"id": "m1", "sender": {"id": "4"}}', 422, "schema_mismatch", "text"),
    ("array-root", b"[1, 2]", 422, "schema_mismatch", None),
    (
        "oversize",
        b'{"id": "m1", "sender": {"id": "4"}, "text": "' + b"x" * LIMIT + b'"}',
        413,
        "payload_too_large",
        None,
    ),
]


@pytest.mark.parametrize(
    ("name", "body", "status", "reason", "path"), BAD_CASES, ids=[c[0] for c in BAD_CASES]
)
async def test_bad_input_is_answered_and_nothing_is_produced(
    kafka: str, toy: str, name: str, body: bytes, status: int, reason: str, path: str | None
) -> None:
    before = await total_records(kafka, INBOUND_SOCIAL)
    async with httpx.AsyncClient() as client:
        resp = await client.post(f"{toy}/toy", content=body)
    assert resp.status_code == status
    assert resp.json()["error"] == reason
    if path:
        assert path in resp.json()["detail"]
    assert await total_records(kafka, INBOUND_SOCIAL) == before


async def test_chunked_oversize_body_is_cut_off(kafka: str, toy: str) -> None:
    """No Content-Length: the cap is enforced while streaming, then the connection is closed."""
    before = await total_records(kafka, INBOUND_SOCIAL)
    host, port = toy.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"POST /toy HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"400\r\n" + b"x" * 1024 + b"\r\n"
    for _ in range(8):  # 8 KiB > 4 KiB cap; the server may close before we finish
        if writer.is_closing():
            break
        writer.write(chunk)
        await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), 2)
    writer.close()
    assert status_line.startswith(b"HTTP/1.1 413")
    assert await total_records(kafka, INBOUND_SOCIAL) == before


async def test_413_is_sent_before_the_body_is_read(toy: str) -> None:
    """Declare 50 MB, send 10 bytes: the answer comes at once, without waiting for the rest."""
    host, port = toy.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        b"POST /toy HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 52428800\r\n\r\n0123456789"
    )
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), 2)
    writer.close()
    assert status_line.startswith(b"HTTP/1.1 413")


async def test_good_input_is_acked_after_kafka(kafka: str, toy: str) -> None:
    before = await total_records(kafka, INBOUND_SOCIAL)
    async with httpx.AsyncClient() as client:
        resp = await client.post(f"{toy}/toy", content=GOOD)
        metrics = (await client.get(f"{toy}/metrics")).text
    assert resp.status_code == 200
    assert await total_records(kafka, INBOUND_SOCIAL) == before + 1
    assert 'hotline_produced_total{topic="hotline.inbound.social"}' in metrics
    assert 'hotline_rejected_total{reason="schema_mismatch"}' in metrics


async def test_health_ready_metrics(toy: str) -> None:
    async with httpx.AsyncClient() as client:
        assert (await client.get(f"{toy}/healthz")).json() == {"status": "ok", "service": "toy"}
        ready = await client.get(f"{toy}/readyz")
        assert ready.status_code == 200 and ready.json()["checks"] == {"kafka": True}
        assert "hotline_requests_total" in (await client.get(f"{toy}/metrics")).text


async def test_without_kafka_not_ready_and_503() -> None:
    app = toy_app(f"127.0.0.1:{free_port()}", ack_timeout=0.5)  # nothing listens there
    async with serve_app(app) as url, httpx.AsyncClient() as client:
        assert (await client.get(f"{url}/healthz")).status_code == 200
        assert (await client.get(f"{url}/readyz")).status_code == 503
        resp = await client.post(f"{url}/toy", content=GOOD)
        assert resp.status_code == 503 and resp.json()["error"] == "kafka_unavailable"
