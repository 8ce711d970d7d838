"""Signed Slack requests against the running gateway, on the real broker: a message lands once
(a Slack retry adds nothing), each kind with its key and headers, poison in the dead-letter
topic, 503 without a broker. Challenges, the settings and the intake's handling of every edge
on the in-memory publisher: tests/unit/chat/test_slack_edge.py, test_edges_intake.py."""

from __future__ import annotations

import time

import httpx
import msgspec
import pytest

from hotline import events as ev
from hotline.topics import INBOUND_CHAT, dead_letter_for
from hotline_tools.devstack.broker import free_port
from tests.integration.chat.harness import Offsets, gateway, produced, read_new
from tests.unit.chat.gateway import settings_for
from tests.unit.chat.slack_fixtures import load, signed_headers

pytestmark = pytest.mark.integration


async def post(url: str, body: bytes, **extra: str) -> httpx.Response:
    headers = {**signed_headers(body, int(time.time())), **extra}
    async with httpx.AsyncClient() as client:
        return await client.post(f"{url}/slack/events", content=body, headers=headers)


def decoded(records: list[object]) -> list[ev.Event]:
    return [ev.decode(r.value) for r in records]  # type: ignore[attr-defined]


async def test_message_lands_once_and_a_slack_retry_adds_nothing(
    gw: str, offsets: Offsets, kafka: str
) -> None:
    body = load("thread_reply")
    before = await offsets.now()
    started = time.perf_counter()
    first = await post(gw, body)
    elapsed = time.perf_counter() - started
    after = await offsets.now()
    assert first.status_code == 200 and first.json() == {"ok": True, "produced": 1}
    assert elapsed < 3.0  # Slack's ack window, with the Kafka ack inside it
    [event] = decoded(await read_new(kafka, before, after))
    assert isinstance(event, ev.MessageReceived)
    assert event.provider_message_id == "C0SUPPORT:1764012060.000200"
    assert event.thread.chat_thread_id == "1764012000.000100"
    retry = await post(gw, body, **{"x-slack-retry-num": "1", "x-slack-retry-reason": "timeout"})
    assert retry.status_code == 200 and retry.json() == {"ok": True, "produced": 0}
    assert produced(after, await offsets.now()) == 0


@pytest.mark.parametrize(
    ("fixture", "tag"),
    [
        ("message", "message.received.v1"),
        ("message_changed", "message.edited.v1"),
        ("message_deleted", "message.deleted.v1"),
        ("file_share", "message.received.v1"),
        ("reaction_added", "reaction.v1"),
        ("reaction_removed", "reaction.v1"),
        ("connect_external", "message.received.v1"),
    ],
)
async def test_each_kind_reaches_the_broker_with_headers(
    gw: str, offsets: Offsets, kafka: str, fixture: str, tag: str
) -> None:
    before = await offsets.now()
    response = await post(gw, load(fixture))
    assert response.status_code == 200
    [record] = await read_new(kafka, before, await offsets.now())
    assert record.topic == INBOUND_CHAT
    event = ev.decode(record.value)
    assert ev.event_tag(event) == tag
    assert dict(record.headers)["event_id"] == event.event_id.encode()
    assert event.tenant == "acme"  # HOTLINE_TENANTS' entry for the workspace, not its team id
    assert record.key == b"slack:" + event.channel.account_id.encode() + b":" + (
        b"C0SHARED" if fixture == "connect_external" else b"C0SUPPORT"
    )


async def test_verified_but_unnormalizable_goes_to_the_dead_letter_topic(
    gw: str, offsets: Offsets, kafka: str
) -> None:
    body = load("message").replace(b'"ts": "1764012000.000100"', b'"ts": "half past nine"')
    before = await offsets.now()
    response = await post(gw, body)
    assert response.status_code == 200
    [record] = await read_new(kafka, before, await offsets.now())
    assert record.topic == dead_letter_for(INBOUND_CHAT)
    assert record.value == body
    assert dict(record.headers)["hotline.dlq.reason"] == b"bad_ts"


async def test_no_kafka_ack_means_503_so_slack_retries(kafka: str) -> None:
    settings = settings_for(f"127.0.0.1:{free_port()}")
    settings.ack_timeout = 0.5
    async with gateway(settings, ready=False) as url:
        response = await post(url, load("message"))
    assert response.status_code == 503
    assert msgspec.json.decode(response.content)["error"] == "kafka_unavailable"
